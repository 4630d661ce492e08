/**
 * The differential query corpus: every function, operator, aggregation and
 * modifier PromQL 2.42 knows, over the dataset of dataset.ts.
 */

const C = 'http_requests_total';
const CPU = 'node_cpu_seconds_total';
const MEM = 'node_memory_MemAvailable_bytes';
const TEMP = 'temperature_celsius';
const GAP = 'gappy_gauge';
const END = 'ending_counter_total';
const BUCKET = 'http_request_duration_seconds_bucket';

const RANGE_FUNCS = [
  'rate',
  'irate',
  'increase',
  'delta',
  'idelta',
  'deriv',
  'changes',
  'resets',
  'avg_over_time',
  'sum_over_time',
  'count_over_time',
  'min_over_time',
  'max_over_time',
  'stddev_over_time',
  'stdvar_over_time',
  'last_over_time',
  'present_over_time',
];

const ELEMENT_FUNCS = [
  'abs',
  'ceil',
  'floor',
  'exp',
  'sqrt',
  'ln',
  'log2',
  'log10',
  'sgn',
  'sin',
  'cos',
  'tan',
  'asin',
  'acos',
  'atan',
  'sinh',
  'cosh',
  'tanh',
  'asinh',
  'acosh',
  'atanh',
  'deg',
  'rad',
];

export function buildCorpus(): string[] {
  const q: string[] = [];
  const sels = [C, `${CPU}{mode="idle"}`, MEM, TEMP, GAP, END, `${BUCKET}{le="0.5"}`, 'mysql_global_status_queries'];
  for (const f of RANGE_FUNCS) {
    for (const s of sels) {
      for (const r of ['1m', '5m', '30m']) q.push(`${f}(${s}[${r}])`);
    }
  }
  for (const s of [C, TEMP, GAP]) {
    q.push(`quantile_over_time(0.5, ${s}[10m])`, `quantile_over_time(0.95, ${s}[30m])`, `quantile_over_time(-1, ${s}[5m])`, `quantile_over_time(2, ${s}[5m])`);
    q.push(`predict_linear(${s}[30m], 3600)`, `predict_linear(${s}[5m], -600)`);
    q.push(`holt_winters(${s}[10m], 0.5, 0.5)`, `holt_winters(${s}[30m], 0.1, 0.9)`);
    q.push(`absent_over_time(${s}[5m])`);
  }
  q.push(
    'absent_over_time(nonexistent[5m])',
    'absent_over_time(nonexistent{job="x",instance=~"y"}[5m])',
    'absent(nonexistent{job="api", instance="a"})',
    'absent(up)',
    'absent(nonexistent{job="a",job="b"})',
    `absent(sum(nonexistent))`,
  );
  for (const f of ELEMENT_FUNCS) q.push(`${f}(${TEMP})`, `${f}(${MEM} / 1e10)`);
  q.push(
    `round(${TEMP})`,
    `round(${TEMP}, 0.5)`,
    `round(${TEMP}, 3)`,
    `clamp(${TEMP}, -1, 5)`,
    `clamp(${TEMP}, 5, -1)`,
    `clamp_max(${TEMP}, 3)`,
    `clamp_min(${TEMP}, 3)`,
    `timestamp(${MEM})`,
    `timestamp(${MEM} offset 1m)`,
    `timestamp(sum(${MEM}))`,
    `timestamp(${END})`,
    'time()',
    'vector(time())',
    'pi()',
    `scalar(sum(${MEM}))`,
    `scalar(${MEM})`,
    `vector(1)`,
    `vector(scalar(count(up)))`,
  );
  for (const f of ['day_of_month', 'day_of_week', 'day_of_year', 'days_in_month', 'hour', 'minute', 'month', 'year']) {
    q.push(`${f}()`, `${f}(timestamp(up))`, `${f}(vector(1709251200 + 86400 * 40))`);
  }
  // Labels.
  q.push(
    `label_replace(up, "host", "$1", "instance", "(.*):.*")`,
    `label_replace(up, "host", "$1-$2", "instance", "(.*):(.*)")`,
    `label_replace(up, "host", "\${1}x", "instance", "(.*):.*")`,
    `label_replace(up, "host", "$1x", "instance", "(.*):.*")`,
    `label_replace(up, "job", "", "job", ".*")`,
    `label_replace(up, "nomatch", "x", "instance", "zzz")`,
    `label_replace(up, "__name__", "renamed", "", "")`,
    `label_replace(up, "instance", "same", "instance", ".*")`,
    `label_replace(up, "host", "$name", "instance", "(?P<name>[a-z]+):.*")`,
    `label_replace(up, "bad-name", "x", "instance", ".*")`,
    `label_replace(up, "x", "y", "instance", "(")`,
    `label_join(up, "foo", ",", "job", "instance")`,
    `label_join(up, "foo", "", "job")`,
    `label_join(up, "job", "-", "instance", "job")`,
    `label_join(up, "foo", "-")`,
    `sort(${MEM})`,
    `sort_desc(${MEM})`,
    `sort(${TEMP})`,
    `sort_desc(rate(${C}[5m]))`,
  );
  // histogram_quantile.
  for (const qq of ['0', '0.5', '0.9', '0.99', '1', '-0.5', '1.5', 'NaN']) {
    q.push(`histogram_quantile(${qq}, rate(${BUCKET}[5m]))`);
  }
  q.push(
    `histogram_quantile(0.9, sum by (le) (rate(${BUCKET}[5m])))`,
    `histogram_quantile(0.9, sum by (job, le) (rate(${BUCKET}[10m])))`,
    `histogram_quantile(0.5, ${BUCKET})`,
    `histogram_quantile(0.5, ${BUCKET}{le!="+Inf"})`,
    `histogram_quantile(0.5, ${BUCKET}{le=~"0.1|\\\\+Inf"})`,
    `histogram_quantile(0.5, ${BUCKET}{le="+Inf"})`,
    `histogram_quantile(0.9, up)`,
    `histogram_quantile(0.9, label_replace(${BUCKET}, "le", "x", "le", "1"))`,
    `histogram_quantile(scalar(vector(0.3)), rate(${BUCKET}[5m]))`,
    `sum(rate(http_request_duration_seconds_sum[5m])) / sum(rate(http_request_duration_seconds_count[5m]))`,
  );
  // Aggregations.
  const aggs = ['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count'];
  for (const a of aggs) {
    for (const inner of [MEM, `rate(${C}[5m])`, TEMP]) {
      q.push(`${a}(${inner})`, `${a} by (instance) (${inner})`, `${a} without (instance) (${inner})`, `${a}(${inner}) by (job, code)`);
    }
  }
  q.push(`sum by () (${MEM})`, `sum without () (${MEM})`, `sum by (nonexistent) (${MEM})`, `count by (__name__) ({__name__=~"node_.*"})`, `sum without (__name__) (${MEM})`);
  for (const k of ['1', '2', '0', '-1', '100', '2.7']) q.push(`topk(${k}, ${MEM})`, `bottomk(${k}, rate(${C}[5m]))`);
  q.push(`topk by (job) (2, rate(${C}[5m]))`, `bottomk(1, ${TEMP})`, `topk(1, ${TEMP})`, `topk(scalar(count(up)) - 4, ${MEM})`);
  for (const p of ['0', '0.25', '0.5', '0.9', '1', '-1', '2', 'NaN']) q.push(`quantile(${p}, ${MEM})`, `quantile by (job) (${p}, rate(${C}[5m]))`);
  q.push(`count_values("value", up)`, `count_values by (job) ("v", up)`, `count_values("instance", up)`, `count_values without (instance) ("v", ${CPU} > 0) > 0`, `count_values("bad-name", up)`, `count_values("v", round(${TEMP}))`);
  // Binary operators.
  const ops = ['+', '-', '*', '/', '%', '^', 'atan2'];
  for (const op of ops) {
    q.push(`${MEM} ${op} 2`, `2 ${op} ${MEM}`, `${TEMP} ${op} -3`, `3 ${op} 2`, `${MEM} ${op} ${'node_memory_MemTotal_bytes'}`, `${TEMP} ${op} ${TEMP}`);
  }
  for (const op of ['==', '!=', '>', '<', '>=', '<=']) {
    q.push(`${TEMP} ${op} 2`, `2 ${op} ${TEMP}`, `${TEMP} ${op} bool 2`, `2 ${op} bool ${TEMP}`, `1 ${op} bool 2`, `${MEM} ${op} ${MEM} offset 5m`, `${MEM} ${op} bool ${MEM} offset 5m`);
  }
  q.push(
    `-${MEM}`,
    `+${MEM}`,
    `-(${MEM})`,
    '-2 ^ 2',
    '2 ^ 3 ^ 2',
    '1 + 2 * 3 - 4 / 5 % 3',
    '(1 + 2) * 3',
    '0x1F + 1e3 - .5',
    'Inf - Inf',
    'NaN',
    '-Inf',
    '1 / 0',
    '-1 / 0',
    '0 / 0',
    '-5 % 3',
    '5 % -3',
    '2 ^ 0.5',
    '(-8) ^ (1/3)',
    '1 ^ NaN',
    'NaN ^ 0',
    '"a string"',
    `'single'`,
    '`raw\\n`',
    '"esc\\t\\x41\\u00e9"',
    `${MEM} and ${MEM} > 3e9`,
    `${MEM} or vector(1)`,
    `${MEM} unless ${MEM} > 3e9`,
    `up and on(instance) ${MEM} > 3e9`,
    `up unless ignoring(job) up{job="api"}`,
    `up or on(job) ${MEM}`,
    `${MEM} / on(instance) group_left node_memory_MemTotal_bytes`,
    `node_memory_MemTotal_bytes * on(instance) group_left(version) build_info`,
    `build_info * on(instance) group_right(version) node_memory_MemTotal_bytes`,
    `up * on(instance) group_left(version) build_info`,
    `rate(${C}[5m]) / on(job, instance, method) group_left sum by (job, instance, method) (rate(${C}[5m]))`,
    `sum by (job, instance) (rate(${C}[5m])) / ignoring(code) group_left sum by (job, instance) (rate(${C}[5m]))`,
    `rate(${C}[5m]) > on(job) group_left sum by (job) (rate(${C}[5m])) * 0`,
    `up == on(instance) group_left build_info`,
    `up + up`,
    `up + ignoring(job) up`,
    `up + on(instance) up`,
    `dup_a + dup_b`,
    `dup_a + ignoring(__name__) dup_b`,
    `dup_a or dup_b`,
    `{__name__=~"dup_.*"} + 1`,
    `{__name__=~"dup_.*"} > 1`,
    `rate({__name__=~"dup_.*"}[5m])`,
    `abs({__name__=~"dup_.*"})`,
    `-{__name__=~"dup_.*"}`,
    `last_over_time({__name__=~"dup_.*"}[5m])`,
    `sum(up) + sum(${MEM})`,
    `up * on() group_left count(up)`,
    `count(up) * on() group_right up`,
    `${MEM} > bool on(instance) node_memory_MemTotal_bytes`,
    `${MEM} atan2 on(instance) node_memory_MemTotal_bytes`,
    `(${MEM} / node_memory_MemTotal_bytes) * 100`,
  );
  // Seed queries (Grafana / alert rules).
  q.push(
    `100 - (avg by (instance) (irate(${CPU}{mode="idle"}[5m])) * 100)`,
    `100 * (1 - avg by (instance) (rate(${CPU}{mode="idle"}[5m])))`,
    `sum by (instance, mode) (rate(${CPU}[1m]))`,
    `(1 - (node_memory_MemAvailable_bytes / node_memory_MemTotal_bytes)) * 100`,
    `100 - ((node_filesystem_avail_bytes{mountpoint="/",fstype!="rootfs"} * 100) / node_filesystem_size_bytes{mountpoint="/",fstype!="rootfs"})`,
    `rate(node_network_receive_bytes_total{device!="lo"}[5m]) * 8`,
    `histogram_quantile(0.95, sum(rate(${BUCKET}[5m])) by (le, job))`,
    `mysql_global_status_threads_connected / mysql_global_variables_max_connections * 100`,
    `rate(mysql_global_status_queries[5m])`,
    `sum(rate(${C}{code=~"5.."}[5m])) by (job) / sum(rate(${C}[5m])) by (job)`,
    `predict_linear(node_filesystem_avail_bytes{fstype!="tmpfs"}[1h], 4 * 3600) < 0`,
    `up == 0`,
    `increase(${C}[1h])`,
  );
  // Selectors & modifiers.
  q.push(
    `${C}{job="api"}`,
    `${C}{job!="api"}`,
    `${C}{job=~"a.*"}`,
    `${C}{job!~"a.*", code="200"}`,
    `${C}{job=~"API"}`,
    `${C}{job=~"(?i)API"}`,
    `${C}{job=~"api|web", method="GET"}`,
    `{__name__="up"}`,
    `{__name__=~"node_memory_.*"}`,
    `{__name__=~"up|build_info", instance="a:9100"}`,
    `{job="api"}`,
    `up{job=""}`,
    `up{nonexistent=""}`,
    `up{nonexistent!=""}`,
    `weird_labels`,
    `weird_labels{path=~".*<b>.*"}`,
    `weird_labels{nl=~"x.y"}`,
    `${MEM} offset 5m`,
    `${MEM} offset 1h`,
    `${MEM} offset -5m`,
    `${MEM} offset -1h`,
    `rate(${C}[5m] offset 10m)`,
    `rate(${C}[5m] offset -10m)`,
    `${MEM} @ 1672535000`,
    `${MEM} @ 1672535000.5`,
    `${MEM} @ 1672535000 offset 5m`,
    `${MEM} offset 5m @ 1672535000`,
    `rate(${C}[5m] @ 1672535000)`,
    `rate(${C}[5m] @ 1672535000 offset 1m)`,
    `sum(rate(${C}[5m] @ 1672535000))`,
    `${MEM} @ start()`,
    `${MEM} @ end()`,
    `rate(${C}[5m] @ end())`,
    `${MEM} - ${MEM} @ start()`,
    `max_over_time(${MEM}[10m:1m])`,
    `max_over_time(${MEM}[10m:])`,
    `max_over_time(rate(${C}[1m])[10m:30s])`,
    `avg_over_time(rate(${C}[5m])[30m:1m])`,
    `rate(sum(${C})[10m:1m])`,
    `deriv(${MEM}[10m:1m])`,
    `min_over_time(${MEM}[10m:1m] offset 5m)`,
    `min_over_time(${MEM}[10m:1m] @ 1672535000)`,
    `max_over_time(max_over_time(${MEM}[5m:1m])[10m:2m])`,
    `count_over_time(${MEM}[7m:45s])`,
    `sum_over_time(vector(1)[5m:1m])`,
    `last_over_time(${MEM}[10m:1m])`,
    `(${MEM})[5m:1m]`,
    `${MEM}[5m:1m]`,
    `${MEM}[5m]`,
    `${MEM}[1m] offset 1m`,
    `${GAP}`,
    `${END}`,
    'starting_counter_total',
    `rate(${END}[5m])`,
    `absent(${END})`,
    `changes(${TEMP}[30m])`,
    `${C} # a comment`,
    `sum(\n  ${MEM}\n)`,
  );
  // Errors evaluated at run time.
  q.push(
    `holt_winters(${MEM}[10m], 1, 0.5)`,
    `holt_winters(${MEM}[10m], 0.5, 0)`,
    `${MEM} + on(job) up`,
    `up * on(job) group_left ${MEM}`,
    `up + on(job) group_left up`,
  );
  return q;
}

/** Queries Prometheus rejects at parse time (400 bad_data with a position). */
export const INVALID_QUERIES: string[] = [
  'foo{',
  'sum(',
  'rate(foo)',
  '1 +',
  'foo[5m',
  'a b',
  '{}',
  '{job=""}',
  'foo offset 5m[5m]',
  'foo[5m][5m]',
  'rate(foo[5m], 1)',
  'unknown_fn(foo)',
  'sum by (job)',
  'sum(foo) by job',
  'topk(foo)',
  'topk(1)',
  'count_values(1, foo)',
  'quantile("x", foo)',
  '1 == 2',
  '"a" + 1',
  'foo and 1',
  '1 or foo',
  'foo + on(a) 1',
  'foo and on(a) group_left bar',
  'foo + bool bar',
  'foo{a=1}',
  'foo{a~"b"}',
  'foo{a="b"',
  'foo}',
  'foo)',
  '(foo',
  'foo[5x]',
  'foo[]',
  'foo offset',
  'foo @',
  'foo @ bar',
  'foo @ 1 @ 2',
  'foo offset 1m offset 2m',
  '(foo + bar)[5m]',
  'sum(foo)[5m]',
  'rate(foo[5m])[5m]',
  '"a"[5m:1m]',
  'foo{a=~"("}',
  'foo{a="\\q"}',
  'label_replace(foo, "a")',
  'histogram_quantile(foo, bar)',
  'abs(foo[5m])',
  'abs()',
  'time(1)',
  'round(foo, 1, 2)',
  '-"a"',
  'foo bar baz',
  '1 +* 2',
  '#only a comment',
  '',
  'foo{__name__="bar"}',
  'foo:bar{',
  'sum without(a',
  'foo[5m:1m:1m]',
  '"unterminated',
  'foo{a="b",,}',
  'foo @ start',
  'foo offset -',
  '1 + (2',
  'vector("a")',
  'sum(foo, bar)',
  'foo{"a"=~"b"}',
];
