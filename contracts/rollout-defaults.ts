// Zero-import: what a rollout does when the request leaves a control out (documented in README).
export const rolloutDefaults = {
  maxInFlight: 100,
  deviceTimeoutSeconds: 600,
  retry: { maxAttempts: 3, initialIntervalSeconds: 10, backoffCoefficient: 2, maxIntervalSeconds: 300 },
  minimumBatchSize: 250,
  maximumBatchSize: 1000,
  continuousCheckIntervalSeconds: 60,
} as const;
