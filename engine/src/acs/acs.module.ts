import { Module } from '@nestjs/common';
import { AcsGateway } from './acs.gateway.js';
import { CallbackAuth } from './callback-auth.js';

/** The ACS gateway (the only user of the Call Automation SDK) and callback token checks. */
@Module({ providers: [AcsGateway, CallbackAuth], exports: [AcsGateway, CallbackAuth] })
export class AcsModule {}
