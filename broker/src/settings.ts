/** The broker's options from the environment knobs (runtime/src/knobs.ts), shared by `npm start` and `npm run start:broker`. */
import type { Knobs } from '@campus/runtime';
import type { BrokerOptions } from './server.ts';

export function brokerSettings(
  knobs: Knobs,
): Pick<BrokerOptions, 'host' | 'port' | 'dataDir' | 'simulated' | 'limits' | 'retained' | 'admission' | 'tls' | 'anonymous' | 'persistence' | 'flow' | 'cluster'> {
  return {
    host: knobs.mqttHost,
    port: knobs.mqttPort,
    dataDir: knobs.dataDir,
    simulated: knobs.sim,
    limits: { maxPacketBytes: knobs.mqttMaxPacketKb * 1024, maxSubscriptionsPerClient: knobs.mqttMaxSubscriptions },
    retained: { maxRetained: knobs.mqttMaxRetained, maxRetainedBytes: knobs.mqttMaxRetainedMb * 1024 * 1024 },
    admission: {
      maxConnections: knobs.mqttMaxConnections,
      connectRate: knobs.mqttConnectRate,
      trustLoopback: knobs.mqttTrustLoopback,
      connectTimeoutMs: knobs.mqttConnectTimeoutS * 1000,
      maxPendingPerAddress: knobs.mqttMaxPendingPerAddress,
    },
    tls:
      knobs.tlsCert && knobs.tlsKey
        ? { certFile: knobs.tlsCert, keyFile: knobs.tlsKey, mqttsPort: knobs.mqttsPort, wssPort: knobs.mqttWssPort, host: knobs.mqttHost }
        : undefined,
    anonymous: knobs.mqttAnonymousLoopback ? {} : undefined,
    // a cluster node keeps its sessions in the Redis the nodes share
    persistence: { kind: knobs.mqttCluster === 'redis' ? 'redis' : knobs.mqttPersistence, redisUrl: knobs.redisUrl },
    cluster: knobs.mqttCluster === 'redis' ? { redisUrl: knobs.redisUrl } : undefined,
    flow: { maxQueued: knobs.mqttMaxQueue },
  };
}
