import { Body, Controller, Get, Post, Req, Res } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
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
    description:
      'Failed attempts are counted per username and per client address: after a few, each ' +
      'further attempt must wait longer, then the key is locked out for a while (429 with ' +
      'Retry-After, the password not checked).',
    errors: {
      401: 'Wrong username or password',
      429: 'Too many failed sign-ins for this username or address (Retry-After)',
    },
  })
  async login(
    @Body(new ZodPipe(LoginSchema)) body: z.output<typeof LoginSchema>,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ) {
    // The socket's address, or with SWITCHBOARD_TRUST_PROXY_HOPS the one the trusted proxy saw:
    // never what a client chooses by sending a header.
    const address = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    const { cookie, principal, maxAgeMs } = await this.auth.login(
      body.username,
      body.password,
      address,
    );
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
