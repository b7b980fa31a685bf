import { anomalyLag, flinkJobName, flinkLabel, flinkLags, groupLag, parseMetrics, type EndOffsets } from './lags';

// Shaped as Flink's reporter writes it (labels trimmed to those read, plus a few others).
const FLINK = `# HELP flink_taskmanager_job_task_operator_KafkaSourceReader_topic_partition_currentOffset currentOffset
# TYPE flink_taskmanager_job_task_operator_KafkaSourceReader_topic_partition_currentOffset gauge
flink_taskmanager_job_task_operator_KafkaSourceReader_topic_partition_currentOffset{host="127_0_0_1",partition="0",topic="iot_readings",job_name="sluice_iot_windows_6f2d34645fa5",subtask_index="0",} 999.0
flink_taskmanager_job_task_operator_KafkaSourceReader_topic_partition_currentOffset{host="127_0_0_1",partition="1",topic="iot_readings",job_name="sluice_iot_windows_6f2d34645fa5",subtask_index="0",} 1499.0
flink_taskmanager_job_task_operator_KafkaSourceReader_topic_partition_currentOffset{host="127_0_0_1",partition="0",topic="ref_devices",job_name="sluice_iot_enriched_0a1b2c3d4e5f",subtask_index="0",} -1.0
flink_taskmanager_job_task_operator_KafkaSourceReader_topic_partition_currentOffset{host="127_0_0_1",partition="0",topic="iot_readings",job_name="sluice_iot_enriched_0a1b2c3d4e5f",subtask_index="0",} 500.0
flink_taskmanager_job_task_operator_pendingRecords{job_name="sluice_iot_windows_6f2d34645fa5",operator_name="Source:_iot_readings_24_"} 12.0
`;

const ENDS: EndOffsets = new Map([
  [
    'iot.readings',
    new Map([
      [0, 1000],
      [1, 2000],
    ]),
  ],
  ['ref.devices', new Map([[0, 40]])],
]);

describe('parseMetrics', () => {
  it('reads names, labels (escapes included) and values, and skips comments', () => {
    const series = parseMetrics(
      '# HELP x y\nsluice_consumer_lag{group="sluice-anomaly",topic="agg.iot.device-1m",note="a \\"b\\""} 42\nup 1 1700000000\n',
    );
    expect(series).toEqual([
      {
        name: 'sluice_consumer_lag',
        labels: { group: 'sluice-anomaly', topic: 'agg.iot.device-1m', note: 'a "b"' },
        value: 42,
      },
      { name: 'up', labels: {}, value: 1 },
    ]);
    expect(parseMetrics('a 1\nb 2\n', (n) => n === 'b')).toEqual([{ name: 'b', labels: {}, value: 2 }]);
  });
});

describe('Flink', () => {
  it('names: the reporter replaces dots and dashes, the job carries a prefix and a version', () => {
    expect(flinkLabel('agg.iot.device-1m')).toBe('agg_iot_device_1m');
    expect(flinkJobName('sluice_web_enriched_6f2d34645fa5')).toBe('web-enriched');
  });

  it("computes each job's records behind from its sources' positions and the end offsets", () => {
    const lags = flinkLags(parseMetrics(FLINK), ENDS);
    // iot_windows: partition 0 caught up (999 is the last record of 1000), partition 1 is 500 behind.
    expect(lags.get('iot-windows')).toEqual({ topics: ['iot.readings'], records: 500 });
    // iot_enriched: 499 + the whole of partition 1 it has not reported (unknown: not counted), ref.devices
    // not fetched yet (−1: not counted).
    expect(lags.get('iot-enriched')).toEqual({ topics: ['iot.readings', 'ref.devices'], records: 499 });
    expect([...lags.keys()].sort()).toEqual(['iot-enriched', 'iot-windows']);
    // Topics named but without end offsets: the job and its topics are known, nothing is counted.
    const named = flinkLags(parseMetrics(FLINK), new Map(), ['iot.readings', 'ref.devices']);
    expect(named.get('iot-windows')).toEqual({ topics: ['iot.readings'], records: 0 });
  });
});

describe('anomalyLag', () => {
  it("sums the service's own metric over its topics, for its group only", () => {
    const series = parseMetrics(
      [
        'sluice_consumer_lag{service="anomaly",group="sluice-anomaly",topic="agg.iot.device-1m"} 120',
        'sluice_consumer_lag{service="anomaly",group="sluice-anomaly",topic="agg.web.path-1m"} 3',
        'sluice_consumer_lag{service="anomaly",group="other",topic="x"} 1000',
      ].join('\n'),
    );
    expect(anomalyLag(series)).toEqual({ topics: ['agg.iot.device-1m', 'agg.web.path-1m'], records: 123 });
    expect(anomalyLag([])).toBeUndefined();
  });
});

describe('groupLag', () => {
  it('counts end minus committed, and a partition never committed from its start', () => {
    const committed = [
      {
        topic: 'iot.readings',
        partitions: [
          { partition: 0, offset: 900 },
          { partition: 1, offset: -1 },
        ],
      },
    ];
    const lows: EndOffsets = new Map([['iot.readings', new Map([[1, 1500]])]]);
    expect(groupLag(committed, ENDS, lows)).toEqual({ topics: ['iot.readings'], records: 100 + 500 });
  });
});
