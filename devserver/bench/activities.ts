/** Activities of the benchmark: trivial on purpose, so the numbers measure the server and the SDK round trips. */
export const benchActivities = {
  async echo(value: number): Promise<number> {
    return value;
  },
};

export type BenchActivities = typeof benchActivities;
