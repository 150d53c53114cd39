import { type DynamicModule, Module } from '@nestjs/common';
import { AnalyticsModule } from './analytics/analytics.module.js';
import { AuditModule } from './audit/audit.module.js';
import { AuthModule } from './auth/auth.module.js';
import type { EngineConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { DatabaseModule } from './database/database.module.js';
import { DeadLettersModule } from './dead-letters/dead-letters.module.js';
import { EnvironmentModule } from './environment/environment.module.js';
import { EntryPointsModule } from './entry-points/entry-points.module.js';
import { FlowsModule } from './flows/flows.module.js';
import { HealthModule } from './health/health.module.js';
import type { Logger } from './logging/logger.js';
import { LoggingModule } from './logging/logging.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { PresenceModule } from './presence/presence.module.js';
import { RetentionModule } from './retention/retention.module.js';
import { RunsModule } from './runs/runs.module.js';
import { ScenariosModule } from './scenarios/scenarios.module.js';
import { TestCallsModule } from './test-calls/test-calls.module.js';
import { WebhooksModule } from './acs/webhooks.module.js';
import { TokensModule } from './tokens/tokens.module.js';
import { UsersModule } from './users/users.module.js';

@Module({})
export class AppModule {
  /** Feature modules go in `imports`; the global ones (config, logger, database) come first. */
  static forRoot(options: {
    config: EngineConfig;
    databaseUrl: string;
    logger: Logger;
  }): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(options.config),
        LoggingModule.forRoot(options.logger),
        DatabaseModule.forRoot(options.databaseUrl),
        AuthModule,
        UsersModule,
        TokensModule,
        AuditModule,
        EnvironmentModule,
        FlowsModule,
        EntryPointsModule,
        PresenceModule,
        HealthModule,
        MetricsModule,
        RunsModule,
        AnalyticsModule,
        DeadLettersModule,
        TestCallsModule,
        RetentionModule,
        ScenariosModule,
        WebhooksModule,
      ],
    };
  }
}
