import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allDevicesTopicFilter, deviceTopic, parseDeviceTopic, sharedTopicFilter } from '../../contracts/device-topics';
import { hashDeviceSecret, verifyDeviceSecret } from '../../registry/device-credentials.repository';
import { mayPublish, maySubscribe, type BrokerIdentity } from '../../transport/broker-access';

const device: BrokerIdentity = { kind: 'device', companyId: 'c1', deviceId: 'd1' };
const service: BrokerIdentity = { kind: 'service' };

describe('topics and broker access rules', () => {
  it('when a topic is built and parsed, then the device address survives and separators are refused', () => {
    assert.equal(deviceTopic({ companyId: 'c1', deviceId: 'd1' }, 'acks'), 'fleet/c1/devices/d1/acks');
    assert.deepEqual(parseDeviceTopic('fleet/c1/devices/d1/acks'), {
      companyId: 'c1',
      deviceId: 'd1',
      channel: 'acks',
    });
    assert.equal(parseDeviceTopic('fleet/c1/devices/d1/other'), undefined);
    assert.equal(parseDeviceTopic('fleet/c1/devices/d1/acks/extra'), undefined);
    assert.throws(() => deviceTopic({ companyId: 'c1', deviceId: 'd1/+' }, 'acks'));
    assert.equal(sharedTopicFilter('g', allDevicesTopicFilter('acks')), '$share/g/fleet/+/devices/+/acks');
  });

  it('when a device publishes or subscribes, then only its own channels in the right direction are allowed', () => {
    assert.ok(mayPublish(device, 'fleet/c1/devices/d1/acks', false));
    assert.ok(mayPublish(device, 'fleet/c1/devices/d1/heartbeats', false));
    assert.ok(!mayPublish(device, 'fleet/c1/devices/d1/acks', true));
    assert.ok(!mayPublish(device, 'fleet/c1/devices/d1/commands', false));
    assert.ok(!mayPublish(device, 'fleet/c1/devices/d2/acks', false));
    assert.ok(!mayPublish(device, 'fleet/c2/devices/d1/acks', false));
    assert.ok(mayPublish(device, 'fleet/c1/devices/d1/presence', false));
    assert.ok(!mayPublish(device, 'fleet/c1/devices/d1/presence', true));
    assert.ok(!mayPublish(device, 'fleet/c1/devices/d2/presence', false));
    assert.ok(!maySubscribe(device, 'fleet/c1/devices/d1/presence'));
    assert.ok(maySubscribe(service, allDevicesTopicFilter('presence')));
    assert.ok(maySubscribe(device, 'fleet/c1/devices/d1/commands'));
    assert.ok(maySubscribe(device, 'fleet/c1/devices/d1/configuration'));
    assert.ok(!maySubscribe(device, 'fleet/c1/devices/+/commands'));
    assert.ok(!maySubscribe(device, 'fleet/c1/devices/d1/acks'));
    assert.ok(maySubscribe(service, allDevicesTopicFilter('acks')));
    assert.ok(!maySubscribe(service, '$SYS/#'));
  });

  it('when a device secret is hashed, then only the same secret verifies, in the Mosquitto format', () => {
    const hash = hashDeviceSecret('s3cret');
    assert.match(hash, /^\$6\$[A-Za-z0-9+/=]+\$[A-Za-z0-9+/=]+$/);
    assert.ok(verifyDeviceSecret('s3cret', hash));
    assert.ok(!verifyDeviceSecret('s3cret!', hash));
    assert.ok(!verifyDeviceSecret('s3cret', 'not-a-hash'));
  });
});
