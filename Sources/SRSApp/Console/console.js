// The SwiftSRS console: polls the HTTP API (SRS's shapes, so SRS itself works too) and shows
// the server, its streams, clients and vhosts; kicks clients; plays a stream's live .mp4 mount.
'use strict';

const params = new URLSearchParams(location.search);
const apiInput = document.getElementById('api');
// The API: ?api=..., else where api.json says (SwiftSRS), else port 1985 of this host (SRS).
let api = params.get('api') || `${location.protocol}//${location.hostname}:1985`;
apiInput.value = api;

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes)) {
    if (key.startsWith('on')) node.addEventListener(key.slice(2), value); else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? '')));
  return node;
}

// HTTP Basic credentials, asked for once the API answers 401 (http_api { auth { ... } }).
let credentials = null;

function headers() {
  return credentials ? { Authorization: `Basic ${btoa(credentials)}` } : {};
}

async function get(path) {
  // An API that does not answer within 5 s fails this refresh instead of piling up requests.
  const response = await fetch(`${api}${path}`, { cache: 'no-store', headers: headers(), signal: AbortSignal.timeout(5000) });
  if (response.status === 401) {
    document.getElementById('login').hidden = false;
    throw new Error('the API asks for a user name and password');
  }
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  const body = await response.json();
  if (body.code !== 0) throw new Error(`${path}: code ${body.code}`);
  return body;
}

function duration(seconds) {
  seconds = Math.floor(seconds);
  const d = Math.floor(seconds / 86400), h = Math.floor(seconds % 86400 / 3600), m = Math.floor(seconds % 3600 / 60), s = seconds % 60;
  return (d ? `${d}d ` : '') + (h || d ? `${h}h ` : '') + `${m}m ${s}s`;
}

function bytes(count) {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let index = 0;
  while (count >= 1024 && index < units.length - 1) { count /= 1024; index++; }
  return `${count.toFixed(index ? 1 : 0)} ${units[index]}`;
}

let lastNetwork = null;

function renderSummary(data) {
  const self = data.self || {}, system = data.system || {};
  let rate = '';
  if (lastNetwork && data.now_ms > lastNetwork.at) {
    const seconds = (data.now_ms - lastNetwork.at) / 1000;
    const inKbps = ((system.net_recv_bytes - lastNetwork.recv) * 8 / 1000 / seconds).toFixed(0);
    const outKbps = ((system.net_send_bytes - lastNetwork.send) * 8 / 1000 / seconds).toFixed(0);
    rate = `${inKbps} / ${outKbps} kbps`;
  }
  lastNetwork = { at: data.now_ms, recv: system.net_recv_bytes, send: system.net_send_bytes };
  const cards = [
    ['server', self.version ? `${self.version}` : '-', `pid ${self.pid ?? '-'}`],
    ['uptime', duration(self.srs_uptime || 0), 'since start'],
    ['server CPU', `${(self.cpu_percent || 0).toFixed(1)}%`, `system ${(system.cpu_percent || 0).toFixed(1)}%`],
    ['server memory', bytes((self.mem_kbyte || 0) * 1024), `RAM used ${(system.mem_ram_percent || 0).toFixed(1)}%`],
    ['network', rate || '…', `in ${bytes(system.net_recv_bytes || 0)}, out ${bytes(system.net_send_bytes || 0)}`],
    ['connections', system.conn_srs ?? '-', `system ${system.conn_sys ?? '-'}`],
  ];
  document.getElementById('summary').replaceChildren(...cards.map(([title, value, detail]) =>
    element('div', { class: 'card' }, element('span', {}, title), element('b', {}, value), element('span', {}, detail))));
}

function codec(info, kind) {
  if (!info) return '-';
  return kind === 'video' ? `${info.codec} ${info.profile || ''} ${info.width}x${info.height}`.replace(/\s+/g, ' ')
    : `${info.codec} ${info.sample_rate} Hz ${info.channel === 2 ? 'stereo' : info.channel === 1 ? 'mono' : ''}`.trim();
}

function mp4URL(vhostName, stream) {
  // The live .mp4 mount is served by the HTTP server that serves this page; `?vhost=` names
  // the stream's vhost (the page's Host may be an IP address).
  const vhost = vhostName && vhostName !== '__defaultVhost__' ? `?vhost=${encodeURIComponent(vhostName)}` : '';
  return `${location.origin}/${stream.app}/${stream.name}.mp4${vhost}`;
}

function play(vhostName, stream) {
  const url = mp4URL(vhostName, stream);
  const video = document.getElementById('video');
  document.getElementById('player').hidden = false;
  document.getElementById('playing').textContent = `${stream.app}/${stream.name}`;
  document.getElementById('video-url').textContent = url;
  video.src = url;
  video.play().catch(() => {});
}

document.getElementById('stop').addEventListener('click', () => {
  const video = document.getElementById('video');
  video.removeAttribute('src');
  video.load();
  document.getElementById('player').hidden = true;
});

async function kick(id, button) {
  button.disabled = true;
  try {
    const response = await fetch(`${api}/api/v1/clients/${id}`, { method: 'DELETE', headers: headers() });
    const body = await response.json();
    if (body.code !== 0) throw new Error(`code ${body.code}`);
    button.textContent = 'kicked';
    refresh();
  } catch (error) {
    button.textContent = `failed: ${error.message}`;
  }
}

function renderStreams(streams, vhostNames) {
  const body = document.querySelector('#streams tbody');
  document.getElementById('no-streams').hidden = streams.length > 0;
  document.getElementById('publish-hint').textContent =
    `ffmpeg -re -i input.flv -c copy -f flv rtmp://${location.hostname}/live/livestream`;
  body.replaceChildren(...streams.map((stream) => {
    const vhostName = vhostNames[stream.vhost] || '';
    const live = stream.publish && stream.publish.active;
    return element('tr', { 'data-stream': `${stream.app}/${stream.name}` },
      element('td', {}, `${stream.app}/${stream.name}`),
      element('td', {}, vhostName),
      element('td', { class: 'video-codec' }, codec(stream.video, 'video')),
      element('td', { class: 'audio-codec' }, codec(stream.audio, 'audio')),
      element('td', {}, `${stream.kbps?.recv_30s ?? 0} / ${stream.kbps?.send_30s ?? 0}`),
      element('td', { class: 'client-count' }, stream.clients),
      element('td', {}, live ? 'publishing' : 'idle'),
      element('td', {}, live ? element('button', { onclick: () => play(vhostName, stream) }, 'play') : ''));
  }));
}

function renderClients(clients) {
  const body = document.querySelector('#clients tbody');
  body.replaceChildren(...clients.map((client) => element('tr', { 'data-client': client.id },
    element('td', {}, client.id),
    element('td', {}, client.ip),
    element('td', {}, client.type),
    element('td', {}, client.name || ''),
    element('td', { class: 'url' }, client.url || client.tcUrl || ''),
    element('td', {}, duration(client.alive || 0)),
    element('td', {}, element('button', { class: 'kick', onclick: (event) => kick(client.id, event.target) }, 'kick')))));
}

function renderVhosts(vhosts) {
  const body = document.querySelector('#vhosts tbody');
  body.replaceChildren(...vhosts.map((vhost) => element('tr', {},
    element('td', {}, vhost.name),
    element('td', {}, vhost.enabled ? 'on' : 'off'),
    element('td', {}, vhost.streams ?? '-'),
    element('td', {}, vhost.clients ?? '-'),
    element('td', {}, `${vhost.kbps?.recv_30s ?? 0} / ${vhost.kbps?.send_30s ?? 0}`),
    element('td', {}, vhost.hls && vhost.hls.enabled ? `HLS ${vhost.hls.fragment ?? ''}s` : ''))));
}

async function refresh() {
  const status = document.getElementById('status');
  try {
    const [summaries, vhosts, streams, clients] = await Promise.all([
      // SRS lists 10 streams and clients unless a count is given.
      get('/api/v1/summaries'), get('/api/v1/vhosts'), get('/api/v1/streams?count=1000'), get('/api/v1/clients?count=1000'),
    ]);
    const vhostNames = Object.fromEntries((vhosts.vhosts || []).map((vhost) => [vhost.id, vhost.name]));
    renderSummary(summaries.data || {});
    renderStreams(streams.streams || [], vhostNames);
    renderClients(clients.clients || []);
    renderVhosts(vhosts.vhosts || []);
    status.textContent = `updated ${new Date().toLocaleTimeString()}`;
    status.className = 'status';
  } catch (error) {
    status.textContent = `cannot reach ${api}: ${error.message}`;
    status.className = 'status error';
  }
}

document.getElementById('api-form').addEventListener('submit', (event) => {
  event.preventDefault();
  api = apiInput.value.replace(/\/+$/, '');
  const user = document.getElementById('user').value;
  credentials = user ? `${user}:${document.getElementById('password').value}` : null;
  lastNetwork = null;
  refresh();
});

// SwiftSRS tells where its API listens (api.json beside this page); SRS's pages take 1985.
fetch('api.json', { cache: 'no-store' }).then((response) => response.ok ? response.json() : null)
  .then((body) => {
    if (body && body.enabled && !params.get('api')) {
      api = `${location.protocol}//${location.hostname}:${body.port}`;
      apiInput.value = api;
    }
  }).catch(() => {}).finally(poll);

// One refresh at a time: the next one 2 s after the last ended.
async function poll() {
  await refresh();
  setTimeout(poll, 2000);
}
