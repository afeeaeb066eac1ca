import { createActionTemplate, findActionTemplateByName } from './action-templates.repository';
import type { Queryable } from './database';

export const demoTemplateNames = {
  canaryReboot: 'Reboot with a 1 % canary',
  pushConfiguration: 'Push the configuration',
  debugLogging: 'Set debug logging',
} as const;

async function idByName(database: Queryable, table: string, companyId: string, name: string) {
  const rows = await database.query<{ id: string }>(
    `select id from ${table} where company_id = $1 and name = $2 order by id limit 1`,
    [companyId, name],
  );
  return rows[0]?.id;
}

// The demo company's built-in templates, created once each by name (a later seed creates what is
// missing and leaves the rest, edits included, alone). The configuration template names the demo's
// own configuration, setting and command; if a user renamed or deleted them it is not created.
export async function ensureDemoTemplates(database: Queryable, companyId: string): Promise<void> {
  const configurationId = await idByName(database, 'configurations', companyId, 'Gateway defaults');
  const settingId = await idByName(database, 'settings', companyId, 'Network');
  const commandId = await idByName(database, 'commands', companyId, 'Apply configuration');
  const templates = [
    {
      name: demoTemplateNames.canaryReboot,
      description: 'Reboots 1 % of the fleet first; the rest follow if at least 80 % of those answering succeed',
      body: {
        action: 'issue_command',
        gateway_command: 'reboot',
        rollout: { device_timeout_seconds: 300, canary: { percent: 1, min_success_rate: 0.8 } },
      },
    },
    ...(configurationId && settingId && commandId
      ? [
          {
            name: demoTemplateNames.pushConfiguration,
            description:
              'Sends the latest "Network" setting of "Gateway defaults" with the "Apply configuration" command',
            body: {
              action: 'send_configuration',
              configuration_id: configurationId,
              setting_id: settingId,
              command_id: commandId,
              setting_version: 0,
            },
          },
        ]
      : []),
    {
      name: demoTemplateNames.debugLogging,
      description: 'Sets the log level to debug on every device that supports it, 50 at a time',
      body: {
        action: 'issue_command',
        gateway_command: 'log_level',
        gateway_command_params: { level: 'debug' },
        rollout: { max_in_flight: 50 },
      },
    },
  ];
  for (const template of templates) {
    if (await findActionTemplateByName(database, companyId, template.name)) continue;
    await createActionTemplate(database, companyId, null, template);
  }
}
