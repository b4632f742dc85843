// The reference tus server (@tus/server with its file store): the anchor of
// the upload benchmark. Usage: node tus_reference_server.mjs PORT DIRECTORY
import { Server } from '@tus/server';
import { FileStore } from '@tus/file-store';

const [port, directory] = process.argv.slice(2);
const server = new Server({ path: '/files', datastore: new FileStore({ directory }) });
server.listen({ host: '127.0.0.1', port: Number(port) });
