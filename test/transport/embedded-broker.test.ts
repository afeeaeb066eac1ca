import { startEmbeddedHarness } from '../../harness/broker-harness';
import { protocolTests } from './protocol.suite';
import { securityTests } from './security.suite';

protocolTests(startEmbeddedHarness);
securityTests(startEmbeddedHarness);
