import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuditModule } from '../audit/audit.module.js';
import { TokensModule } from '../tokens/tokens.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { LoginThrottle } from './login-throttle.js';
import { LoginThrottleRepository } from './login-throttle.repository.js';
import { SessionsRepository } from './sessions.repository.js';

/**
 * Authentication (session cookie or bearer token) and the global role guard. Other modules
 * only use the decorators: `@Roles(...)`, `@Public()`, `@CurrentPrincipal()`.
 */
@Module({
  imports: [UsersModule, TokensModule, AuditModule],
  controllers: [AuthController],
  providers: [
    AuthService,
    SessionsRepository,
    LoginThrottle,
    LoginThrottleRepository,
    { provide: APP_GUARD, useClass: AuthGuard },
  ],
  exports: [AuthService],
})
export class AuthModule {}
