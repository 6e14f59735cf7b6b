import { parentPort } from 'node:worker_threads';
import { openForAudit } from './open_store.js';

/** A worker of the audit's read pool: one keystore per message, answered with its public part. */
export interface ReadRequest {
  id: number;
  bytes: Uint8Array;
  password?: string;
}

parentPort?.on('message', (request: ReadRequest) => {
  void openForAudit(request.bytes, request.password).then((outcome) => parentPort!.postMessage({ id: request.id, outcome }));
});
