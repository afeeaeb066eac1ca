// Zero-import: custom search attributes registered on the Temporal server, so operators can
// filter rollouts by company, fleet, action and status in the Temporal UI.
export const searchAttributeNames = {
  companyId: 'FleetCompanyId',
  fleetId: 'FleetId',
  action: 'FleetAction',
  status: 'BulkStatus',
} as const;

export const searchAttributeDefinitions = Object.values(searchAttributeNames).map((name) => `${name}=Keyword`);
