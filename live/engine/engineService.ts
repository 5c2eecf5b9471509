/**
 * `routesim serve engine` as a library: builds the mock fleet from a scenario and serves replica i
 * on its own port (base port + i; base port 0 = any free ports, for tests) on 127.0.0.1 unless
 * another host is given, so a picker addresses each replica as a separate endpoint `host:port`.
 * `stop()` ends every timer, drops open connections and closes the servers (no handle left open).
 */
import type { Server } from 'node:http';
import type { ScenarioConfig } from '../../sim/scenario/types.js';
import { UserError } from '../../sim/core/errors.js';
import { buildMockFleet, type FleetOptions, type MockFleet } from './mockFleet.js';
import { createReplicaServer, listen } from './replicaServer.js';

export interface EngineServiceOptions extends FleetOptions {
  readonly host: string;
  /** Replica i listens on basePort + i; 0 = every replica on a free port chosen by the system. */
  readonly basePort: number;
  readonly enableAdmin: boolean;
}

export interface EndpointInfo {
  readonly index: number;
  readonly name: string;
  readonly model: string;
  readonly host: string;
  readonly port: number;
}

export interface EngineService {
  readonly fleet: MockFleet;
  readonly endpoints: readonly EndpointInfo[];
  stop(): Promise<void>;
}

export async function startEngineService(scenario: ScenarioConfig, o: EngineServiceOptions): Promise<EngineService> {
  const fleet = buildMockFleet(scenario, o);
  if (o.basePort > 0 && o.basePort + fleet.replicas.length - 1 > 65535) {
    fleet.close();
    throw new UserError(`--base-port ${o.basePort}: ${fleet.replicas.length} replicas need ports up to ${o.basePort + fleet.replicas.length - 1}, beyond 65535 (fix: choose a lower base port)`);
  }
  const servers: Server[] = [];
  const endpoints: EndpointInfo[] = [];
  const stop = async (): Promise<void> => {
    fleet.close();
    await Promise.all(
      servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            s.closeAllConnections();
          }),
      ),
    );
  };
  try {
    for (const r of fleet.replicas) {
      const server = createReplicaServer(r, fleet.clock, { enableAdmin: o.enableAdmin });
      servers.push(server);
      const port = await listen(server, o.host, o.basePort === 0 ? 0 : o.basePort + r.index);
      endpoints.push({ index: r.index, name: r.name, model: r.modelName, host: o.host, port });
    }
  } catch (err) {
    await stop();
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EADDRINUSE' || e.code === 'EACCES' || e.code === 'EADDRNOTAVAIL') {
      throw new UserError(`--base-port/--host: cannot listen on ${o.host}:${(e as { port?: number }).port ?? '?'} (${e.code}) (fix: choose free ports with --base-port, or another --host)`);
    }
    throw err;
  }
  return { fleet, endpoints, stop };
}
