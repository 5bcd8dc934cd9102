import type { AggregateResult } from "@phobos/core";

export interface AggregateFailure {
  name: string;
  type: "startup" | "create" | "process_result" | "summarize";
}

/** RPC::Stats: what `printrpcstats` reports after a call. Times in seconds. */
export class RpcStats {
  noresponsefrom: string[] = [];
  unexpectedresponsefrom: string[] = [];
  responsesfrom: string[] = [];
  responses = 0;
  starttime = Date.now();
  discoverytime = 0;
  blocktime = 0;
  totaltime = 0;
  discovered = 0;
  discoveredNodes: string[] = [];
  okcount = 0;
  failcount = 0;
  requestid: string | undefined;
  /** The agent called (kept across calls, unlike everything else). */
  agent: string | undefined;
  /** The action the stats are for: "Summary of" headings look up its outputs' `display_as`. */
  action: string | undefined;
  aggregateSummary: AggregateResult[] = [];
  aggregateFailures: AggregateFailure[] = [];

  /** A new call starts; discovery time is kept, as in MCollective (discover() sets the nodes again). */
  reset(): void {
    this.discovered = 0;
    this.discoveredNodes = [];
    this.noresponsefrom = [];
    this.unexpectedresponsefrom = [];
    this.responsesfrom = [];
    this.responses = 0;
    this.starttime = Date.now();
    this.blocktime = 0;
    this.totaltime = 0;
    this.okcount = 0;
    this.failcount = 0;
    this.requestid = undefined;
    this.action = undefined;
    this.aggregateSummary = [];
    this.aggregateFailures = [];
  }

  ok(): void {
    this.okcount++;
  }

  fail(): void {
    this.failcount++;
  }

  nodeResponded(node: string): void {
    this.responsesfrom.push(node);
  }

  discoveredAgents(nodes: string[]): void {
    this.discoveredNodes = nodes;
    this.discovered = nodes.length;
  }

  finishRequest(): void {
    this.totaltime = this.blocktime + this.discoverytime;
    const responded = new Set(this.responsesfrom);
    const discovered = new Set(this.discoveredNodes);
    this.unexpectedresponsefrom = [...responded].filter((n) => !discovered.has(n));
    this.noresponsefrom = this.discoveredNodes.filter((n) => !responded.has(n));
  }

  /** A copy that the next call of the same client does not reset. */
  snapshot(): RpcStats {
    return Object.assign(new RpcStats(), {
      ...this,
      noresponsefrom: [...this.noresponsefrom],
      unexpectedresponsefrom: [...this.unexpectedresponsefrom],
      responsesfrom: [...this.responsesfrom],
      discoveredNodes: [...this.discoveredNodes],
      aggregateSummary: [...this.aggregateSummary],
      aggregateFailures: [...this.aggregateFailures],
    });
  }

  toJSON() {
    return {
      noresponsefrom: this.noresponsefrom,
      unexpectedresponsefrom: this.unexpectedresponsefrom,
      starttime: this.starttime / 1000,
      discoverytime: this.discoverytime,
      blocktime: this.blocktime,
      responses: this.responses,
      totaltime: this.totaltime,
      discovered: this.discovered,
      discovered_nodes: this.discoveredNodes,
      okcount: this.okcount,
      requestid: this.requestid ?? null,
      failcount: this.failcount,
    };
  }
}
