import { Module } from '@nestjs/common';
import { AcsExecutor } from './acs.executor.js';
import { AcsGateway } from './acs.gateway.js';
import { CallbackAuth } from './callback-auth.js';
import { TestAcs } from './test-acs.js';

/**
 * The ACS gateway (the only user of the Call Automation SDK), callback token checks, and the
 * private emulator test calls use instead.
 */
@Module({
  providers: [AcsGateway, AcsExecutor, CallbackAuth, TestAcs],
  exports: [AcsGateway, AcsExecutor, CallbackAuth, TestAcs],
})
export class AcsModule {}
