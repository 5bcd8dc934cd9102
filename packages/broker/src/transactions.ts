import { StompError } from "./errors.js";

interface OpenTransaction {
  readonly actions: Array<() => void>;
  bytes: number;
}

/**
 * STOMP transactions of one connection: SENDs and ACK/NACKs carrying a
 * `transaction` header are held until COMMIT runs them in order, or ABORT
 * (or the connection closing) discards them. Capped in count and bytes.
 */
export class Transactions {
  private readonly open = new Map<string, OpenTransaction>();
  private bytes = 0;

  constructor(private readonly limits: { maxTransactions: number; maxTransactionBytes: number }) {}

  begin(id: string): void {
    if (this.open.has(id)) throw new StompError("Bad transaction", `Transaction "${id}" is already open\n`);
    if (this.open.size >= this.limits.maxTransactions) {
      throw new StompError(
        "resource_limit",
        `at most ${this.limits.maxTransactions} transactions may be open per connection (broker limit maxTransactions)\n`,
      );
    }
    this.open.set(id, { actions: [], bytes: 0 });
  }

  add(id: string, bytes: number, action: () => void): void {
    const transaction = this.get(id);
    if (this.bytes + bytes > this.limits.maxTransactionBytes) {
      throw new StompError(
        "resource_limit",
        `open transactions may hold at most ${this.limits.maxTransactionBytes} bytes per connection (broker limit maxTransactionBytes); commit sooner\n`,
      );
    }
    transaction.actions.push(action);
    transaction.bytes += bytes;
    this.bytes += bytes;
  }

  commit(id: string): void {
    const transaction = this.take(id);
    for (const action of transaction.actions) action();
  }

  abort(id: string): void {
    this.take(id);
  }

  abortAll(): void {
    this.open.clear();
    this.bytes = 0;
  }

  private get(id: string): OpenTransaction {
    const transaction = this.open.get(id);
    if (!transaction) throw new StompError("Bad transaction", `Invalid transaction identifier: "${id}"\n`);
    return transaction;
  }

  private take(id: string): OpenTransaction {
    const transaction = this.get(id);
    this.open.delete(id);
    this.bytes -= transaction.bytes;
    return transaction;
  }
}
