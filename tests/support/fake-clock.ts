/** A clock the test moves by hand. */
export class FakeClock {
  private t: number;

  constructor(start: string | Date) {
    this.t = new Date(start).getTime();
  }

  readonly now = (): Date => new Date(this.t);

  set(at: string | Date): void {
    this.t = new Date(at).getTime();
  }

  advanceMinutes(minutes: number): void {
    this.t += minutes * 60_000;
  }
}
