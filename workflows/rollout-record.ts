import { CancellationScope, setCurrentDetails, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import type { BulkActionInput, RolloutView } from '../contracts/bulk-action.types';
import type { RolloutModel } from '../contracts/rollout-model';
import { consoleDetails, type ConsoleView } from '../contracts/rollout-console';
import { stageViewOf, statusOf, statusReasonOf, waitingForOf } from '../contracts/rollout-view';
import type { BulkStatus } from '../contracts/statuses';
import { isBulkResponseEventName } from '../contracts/webhook-events';
import { bulkResponseEventsPublished, publishBulkResponseEvent } from './bulk-response-events';
import { searchAttributeKeys } from './definitions';
import { registry } from './rollout-activities';

// Keeps everything outside the workflow that shows the rollout in step with its model: the stored
// record (saved at each transition, in order), the execution's details and status attribute in
// the Temporal UI, and the webhooks, which hear each status once.
export class RolloutRecorder {
  private savedRecord = '';
  private saving: Promise<void> = Promise.resolve();
  // Announcements in the order of the statuses; the run awaits them before it returns.
  private announcing: Promise<void> = Promise.resolve();
  private announcedStatus: BulkStatus;

  constructor(
    private readonly input: BulkActionInput,
    private readonly model: RolloutModel,
  ) {
    this.announcedStatus = statusOf(model.record());
    this.savedRecord = this.recordKey();
  }

  view(): RolloutView {
    const record = this.model.record();
    const counts = this.model.counts;
    return {
      status: statusOf(record),
      counts,
      startedAt: this.model.startedAt === null ? null : new Date(this.model.startedAt).toISOString(),
      statusReason: statusReasonOf(record),
      waitingFor: waitingForOf(record, counts, this.model.plan),
    };
  }

  // What the Temporal UI shows of the rollout, in the words of the API's view (with its stage).
  consoleView(): ConsoleView {
    return { ...this.view(), stage: stageViewOf(this.model.record(), this.model.plan) };
  }

  // Called after every change: the details are free to set; the record is saved only when what
  // it keeps changed (not for every count the rows moved, which the API reads from the rows).
  noteChanges(): void {
    const view = this.consoleView();
    setCurrentDetails(consoleDetails(view));
    if (view.status !== this.announcedStatus) this.statusChanged(view.status);
    if (this.recordKey() !== this.savedRecord) void this.save();
  }

  // Resolves once the record shows the model as it is now (and every earlier save landed).
  async saved(): Promise<void> {
    if (this.recordKey() !== this.savedRecord) await this.save();
    await this.saving;
  }

  // Resolves once the record is saved and every status announced so far is enqueued: awaited
  // before the execution ends or continues as new, so no announcement is left behind.
  async settled(): Promise<void> {
    await this.saved();
    await this.announcing;
    await bulkResponseEventsPublished();
  }

  private save(): Promise<void> {
    this.savedRecord = this.recordKey();
    // The end is stored by finishRollout itself; a save after it changes nothing, and was left
    // scheduled as the execution completed.
    if (this.model.phase === 'ended') return this.saving;
    const state = this.model.record();
    // Not cancellable: a cancel from the Temporal UI must not cancel the save that records it (a
    // cancelled save rejected unhandled, failed the workflow task and stopped every later save).
    this.saving = this.saving.then(() =>
      CancellationScope.nonCancellable(() =>
        registry.saveRolloutState({
          bulkResponseId: this.input.bulkResponseId,
          status: statusOf(state),
          total: this.model.total,
          state,
        }),
      ),
    );
    return this.saving;
  }

  private recordKey(): string {
    return JSON.stringify([{ ...this.model.record(), version: 0 }, this.model.total]);
  }

  // Webhooks hear each status once the record shows it: started, paused, resumed, the end.
  private statusChanged(status: BulkStatus): void {
    const previous = this.announcedStatus;
    this.announcedStatus = status;
    this.upsertStatus(status);
    const event =
      status !== 'processing' ? status : previous === 'paused' ? 'resumed' : previous === 'pending' ? 'started' : null;
    const name = `bulk_response.${event}`;
    if (!event || !isBulkResponseEventName(name)) return;
    const { bulkResponseId, companyId } = this.input;
    this.announcing = this.announcing
      .then(() => this.saved())
      .then(() => publishBulkResponseEvent({ bulkResponseId, companyId, event: name }))
      // A record that could not be saved fails whoever awaits the save; the webhooks miss it.
      .catch(() => undefined);
  }

  // Only executions started with the status attribute carry it: the server registered it then.
  private upsertStatus(status: BulkStatus): void {
    if (workflowInfo().typedSearchAttributes.get(searchAttributeKeys.status) === undefined) return;
    upsertSearchAttributes([{ key: searchAttributeKeys.status, value: status }]);
  }
}
