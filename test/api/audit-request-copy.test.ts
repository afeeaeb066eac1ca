import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { auditCopyOf } from '../../api/audit/request-copy';

describe("the audit trail's copy of a request body", () => {
  test('when a body holds credentials under any casing or nesting, then each is replaced', () => {
    const copy = auditCopyOf({
      email: 'a@b.c',
      Password: 'p',
      nested: { refreshToken: 't', session_token: 't', api_key: 'k', clientSecret: 's', sshKey: 'k', keep: 'visible' },
      url: 'https://admin:hunter2@hooks.example.com/x',
    });
    assert.deepEqual(copy, {
      email: 'a@b.c',
      Password: '[redacted]',
      nested: {
        refreshToken: '[redacted]',
        session_token: '[redacted]',
        api_key: '[redacted]',
        clientSecret: '[redacted]',
        sshKey: '[redacted]',
        keep: 'visible',
      },
      url: 'https://[redacted]@hooks.example.com/x',
    });
  });

  test('when a body is large, then long strings and arrays are cut and saying how much was left out', () => {
    const copy = auditCopyOf({
      device_serials: Array.from({ length: 1000 }, (_, index) => `SN-${index}`),
      note: 'x'.repeat(300),
    }) as {
      device_serials: string[];
      note: string;
    };
    assert.equal(copy.device_serials.length, 21);
    assert.equal(copy.device_serials[20], '[980 more]');
    assert.equal(copy.note, `${'x'.repeat(256)}[44 more characters]`);
  });

  test('when a body is deep or still too big once cut, then only its shape or field names are kept', () => {
    const deep = auditCopyOf({ a: { b: { c: { d: { e: { f: { g: 1 } } } } } } });
    assert.equal(JSON.stringify(deep).includes('"g"'), false);
    const wide = Object.fromEntries(Array.from({ length: 60 }, (_, index) => [`k${index}`, 'v'.repeat(250)]));
    const copy = auditCopyOf(wide) as { truncated: boolean; fields: string[] };
    assert.equal(copy.truncated, true);
    assert.equal(copy.fields.length, 50);
    assert.ok(JSON.stringify(copy).length < 8 * 1024);
    const longNames = auditCopyOf(
      Object.fromEntries(Array.from({ length: 60 }, (_, index) => [`${index}`.padEnd(5000, 'k'), 1])),
    );
    assert.ok(JSON.stringify(longNames).length < 8 * 1024);
  });

  test('when there is no body, then nothing is kept', () => {
    for (const body of [undefined, null, {}]) assert.equal(auditCopyOf(body), undefined);
  });
});
