import { Body, Controller, Get, Post, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import type { z } from 'zod';
import { ApiEndpoint } from '../common/openapi.js';
import { ZodPipe } from '../common/zod.pipe.js';
import { LoginSchema, MeSchema } from './auth.schemas.js';
import { AuthService, SESSION_COOKIE } from './auth.service.js';
import { CurrentPrincipal, type Principal } from './principal.js';
import { Public, Roles } from './roles.decorator.js';

const me = (p: Principal): z.output<typeof MeSchema> => ({
  kind: p.kind,
  id: p.id,
  name: p.name,
  role: p.role,
});

@ApiTags('auth')
@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('login')
  @Public()
  @ApiEndpoint({
    summary: 'Sign in; sets an HTTP-only session cookie',
    body: LoginSchema,
    response: MeSchema,
    errors: { 401: 'Wrong username or password' },
  })
  async login(
    @Body(new ZodPipe(LoginSchema)) body: z.output<typeof LoginSchema>,
    @Res({ passthrough: true }) res: Response,
  ) {
    const { cookie, principal, maxAgeMs } = await this.auth.login(body.username, body.password);
    res.cookie(SESSION_COOKIE, cookie, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.auth.secureCookies,
      path: '/',
      maxAge: maxAgeMs,
    });
    return me(principal);
  }

  @Post('logout')
  @Public()
  @ApiEndpoint({ summary: 'Sign out (ends the session)', status: 204 })
  async logout(
    @CurrentPrincipal() principal: Principal | undefined,
    @Res({ passthrough: true }) res: Response,
  ) {
    await this.auth.logout(principal);
    res.clearCookie(SESSION_COOKIE, {
      httpOnly: true,
      sameSite: 'lax',
      secure: this.auth.secureCookies,
      path: '/',
    });
  }

  @Get('me')
  @Roles('viewer', 'runner')
  @ApiEndpoint({ summary: 'Who is signed in', response: MeSchema })
  whoami(@CurrentPrincipal() principal: Principal) {
    return me(principal);
  }
}
