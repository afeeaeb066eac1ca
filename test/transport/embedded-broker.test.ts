import { startEmbeddedHarness } from '../../harness/broker-harness';
import { presenceTests } from './presence.suite';
import { protocolTests } from './protocol.suite';
import { securityTests } from './security.suite';

protocolTests(startEmbeddedHarness);
securityTests(startEmbeddedHarness);
presenceTests(startEmbeddedHarness);
