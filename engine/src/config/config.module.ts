import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ENGINE_CONFIG, type EngineConfig } from './config.js';

/** Makes the EngineConfig (read once at start) injectable everywhere: `@Inject(ENGINE_CONFIG)`. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: EngineConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: ENGINE_CONFIG, useValue: config }],
      exports: [ENGINE_CONFIG],
    };
  }
}
