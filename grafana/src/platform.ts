/** The platform itself, from Prometheus: throughput, lag, replication, job and connector health, alerts. */
import type { DashboardDefinition } from './dashboard';
import { PROMETHEUS } from './datasources';
import { prom } from './queries';
import { stat, table, timeseries } from './panels';

export const platformOverview: DashboardDefinition = {
  uid: 'sluice-platform',
  title: 'Sluice / Platform overview',
  description:
    "Brokers, Flink, Connect and Sluice's own services: throughput, consumer lag, in-sync replicas, job health and firing alerts (Prometheus).",
  tags: ['platform'],
  rows: [
    {
      title: 'Health',
      panels: [
        stat({
          title: 'Brokers up',
          description: 'Kafka nodes Prometheus can scrape (of 3).',
          datasource: PROMETHEUS,
          targets: [prom('sum(up{job="kafka"})', 'brokers')],
        }),
        stat({
          title: 'Under-replicated partitions',
          description: 'Partitions whose replicas are not all in sync (0 when healthy).',
          datasource: PROMETHEUS,
          targets: [prom('sum(kafka_server_replicamanager_underreplicatedpartitions)', 'under-replicated')],
        }),
        stat({
          title: 'Flink jobs running',
          description: 'Jobs in state RUNNING on the session cluster.',
          datasource: PROMETHEUS,
          targets: [prom('max(flink_jobmanager_numRunningJobs)', 'running')],
        }),
        stat({
          title: 'Firing alerts',
          description: "Platform alert rules firing now (the anomaly service's alerts are in Alertmanager).",
          datasource: PROMETHEUS,
          targets: [prom('count(ALERTS{alertstate="firing"}) or vector(0)', 'firing')],
        }),
      ],
    },
    {
      title: 'Throughput and lag',
      panels: [
        timeseries({
          title: 'Messages in per second by topic',
          description: 'Records appended to each topic, summed over the brokers (leaders only).',
          datasource: PROMETHEUS,
          unit: 'ops',
          targets: [
            prom(
              'sum by (topic) (rate(kafka_server_brokertopicmetrics_messagesinpersec_total{topic!=""}[1m]))',
              '{{topic}}',
            ),
          ],
        }),
        timeseries({
          title: 'Records sent by Sluice producers',
          description: 'Records acknowledged per second per simulator or ingestor (producer engine).',
          datasource: PROMETHEUS,
          unit: 'ops',
          targets: [prom('sum by (service) (rate(sluice_producer_records_sent_total[1m]))', '{{service}}')],
        }),
        timeseries({
          title: 'Consumer lag',
          description:
            'Records not yet processed: Flink sources (pending records), Connect sinks (lag max) and Sluice consumers.',
          datasource: PROMETHEUS,
          targets: [
            prom('sum by (job_name) (flink_taskmanager_job_task_operator_pendingRecords)', 'flink {{job_name}}', 'A'),
            prom('max by (client_id) (kafka_consumer_records_lag_max)', 'connect {{client_id}}', 'B'),
            prom('max by (group) (sluice_consumer_lag)', 'sluice {{group}}', 'C'),
          ],
        }),
        timeseries({
          title: 'In-sync replica changes',
          description: 'ISR shrinks and expands per second per broker: bursts mean a broker fell behind or came back.',
          datasource: PROMETHEUS,
          unit: 'ops',
          targets: [
            prom(
              'sum by (node) (rate(kafka_server_replicamanager_isrshrinkspersec_total[1m]))',
              'shrinks {{node}}',
              'A',
            ),
            prom(
              'sum by (node) (rate(kafka_server_replicamanager_isrexpandspersec_total[1m]))',
              'expands {{node}}',
              'B',
            ),
          ],
        }),
      ],
    },
    {
      title: 'Jobs, connectors and alerts',
      panels: [
        table({
          title: 'Flink jobs',
          description: 'Each Sluice job, its uptime (0 while restarting) and restarts.',
          datasource: PROMETHEUS,
          width: 12,
          targets: [
            prom('max by (job_name) (flink_jobmanager_job_uptime{job_name=~"sluice[._].*"}) / 1000', '{{job_name}}'),
          ],
        }),
        table({
          title: 'Connector tasks',
          description: 'Running and failed tasks per connector.',
          datasource: PROMETHEUS,
          width: 12,
          targets: [
            prom(
              'sum by (connector) (kafka_connect_worker_connector_running_task_count)',
              'running {{connector}}',
              'A',
            ),
            prom('sum by (connector) (kafka_connect_worker_connector_failed_task_count)', 'failed {{connector}}', 'B'),
          ],
        }),
        table({
          title: 'Firing platform alerts',
          description: 'Prometheus alert rules firing now, with their labels.',
          datasource: PROMETHEUS,
          targets: [prom('ALERTS{alertstate="firing"}', '{{alertname}} {{severity}}')],
        }),
      ],
    },
  ],
};
