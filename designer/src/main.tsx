import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import '@xyflow/react/dist/style.css';
import './designer.css';
import { App } from './app/App.js';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    {/* Layout classes go on an inner element: Fluent copies the provider's classes to its portals. */}
    <FluentProvider theme={webLightTheme}>
      <div className="sb-root">
        <App />
      </div>
    </FluentProvider>
  </StrictMode>,
);
