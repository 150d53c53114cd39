import { type DynamicModule, Global, Module } from '@nestjs/common';
import { ENGINE_CONFIG, type EngineConfig } from './config.js';
import { EngineAddress } from './engine-address.js';

/**
 * Makes the EngineConfig (read once at start, frozen) injectable everywhere:
 * `@Inject(ENGINE_CONFIG)`; and the EngineAddress the engine listens on.
 */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: EngineConfig): DynamicModule {
    return {
      module: ConfigModule,
      providers: [{ provide: ENGINE_CONFIG, useValue: config }, EngineAddress],
      exports: [ENGINE_CONFIG, EngineAddress],
    };
  }
}
