import { finalDeviceStatuses, isTerminalBulkStatus, type BulkCounts, type BulkStatus } from '../../contracts/statuses';

export interface ObservedBulkResponse {
  _id: string;
  status: BulkStatus;
  counts: BulkCounts;
}

export interface StatusRegression {
  id: string;
  source: string;
  shown: { status: BulkStatus; settled: number };
  earlier: { status: BulkStatus | null; settled: number };
}

interface History {
  // (answer received at, settled devices): appended only when the settled count grows, so both rise.
  steps: { at: number; settled: number }[];
  final: { at: number; status: BulkStatus } | undefined;
}

const keptExamples = 10;

export function settledDevices(counts: BulkCounts): number {
  return finalDeviceStatuses.reduce((sum, status) => sum + counts[status], 0);
}

// Whether any answer went backwards: an answer to a request sent after another answer about the
// same bulk response was received must show at least as many settled devices, and keep a final
// status once one was shown. Answers to overlapping requests may arrive in either order, so each
// answer is compared only with those received before its own request was sent.
export class StatusRegressionWatch {
  private readonly histories = new Map<string, History>();
  private readonly examples: StatusRegression[] = [];
  private regressionCount = 0;

  observe(view: ObservedBulkResponse, requestSentAt: number, source: string): void {
    const history = this.historyOf(view._id);
    const settled = settledDevices(view.counts);
    const earlierSettled = this.settledBefore(history, requestSentAt);
    const earlierFinal = history.final && history.final.at < requestSentAt ? history.final.status : undefined;
    if (settled < earlierSettled || (earlierFinal !== undefined && view.status !== earlierFinal)) {
      this.recordRegression({
        id: view._id,
        source,
        shown: { status: view.status, settled },
        earlier: { status: earlierFinal ?? null, settled: earlierSettled },
      });
    }
    const receivedAt = performance.now();
    if (settled > (history.steps.at(-1)?.settled ?? -1)) history.steps.push({ at: receivedAt, settled });
    if (!history.final && isTerminalBulkStatus(view.status)) history.final = { at: receivedAt, status: view.status };
  }

  finalStatusOf(id: string): BulkStatus | undefined {
    return this.histories.get(id)?.final?.status;
  }

  // The most settled devices any answer has shown for this bulk response.
  settledShown(id: string): number {
    return this.histories.get(id)?.steps.at(-1)?.settled ?? 0;
  }

  regressions(): { count: number; examples: StatusRegression[] } {
    return { count: this.regressionCount, examples: [...this.examples] };
  }

  private historyOf(id: string): History {
    let history = this.histories.get(id);
    if (!history) {
      history = { steps: [], final: undefined };
      this.histories.set(id, history);
    }
    return history;
  }

  // The largest settled count among answers received before `time` (binary search over the steps).
  private settledBefore(history: History, time: number): number {
    let low = 0;
    let high = history.steps.length;
    while (low < high) {
      const middle = (low + high) >> 1;
      if (history.steps[middle]!.at < time) low = middle + 1;
      else high = middle;
    }
    return low === 0 ? 0 : history.steps[low - 1]!.settled;
  }

  private recordRegression(regression: StatusRegression): void {
    this.regressionCount += 1;
    if (this.examples.length < keptExamples) this.examples.push(regression);
  }
}
