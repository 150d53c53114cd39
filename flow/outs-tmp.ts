import { catalogue } from './src/index.js';
