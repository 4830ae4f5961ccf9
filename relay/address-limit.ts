/** Open connections per remote address, so one host cannot take every socket the relay has. */
export class AddressLimit {
  readonly #open = new Map<string, number>();

  constructor(private readonly max: number) {}

  tryAcquire(address: string): boolean {
    const count = this.#open.get(address) ?? 0;
    if (count >= this.max) return false;
    this.#open.set(address, count + 1);
    return true;
  }

  release(address: string): void {
    const count = this.#open.get(address) ?? 0;
    if (count <= 1) this.#open.delete(address);
    else this.#open.set(address, count - 1);
  }
}
