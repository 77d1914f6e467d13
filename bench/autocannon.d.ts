declare module 'autocannon' {
  interface Options {
    url: string;
    method?: string;
    body?: string;
    headers?: Record<string, string>;
    connections?: number;
    duration?: number;
    pipelining?: number;
    requests?: { method?: string; path?: string; body?: string; headers?: Record<string, string> }[];
  }
  interface Result {
    '2xx': number;
    non2xx: number;
    requests: { average: number };
    latency: { p50: number; p97_5: number; p99: number; average: number };
  }
  function autocannon(options: Options): Promise<Result>;
  export default autocannon;
}
