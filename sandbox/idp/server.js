// Cổng định danh điện tử — môi trường thử nghiệm (sandbox national-identity provider).
//
// A real OpenID Connect provider (the certified `oidc-provider` package) standing in for VNeID in the
// demo (`make run`) and in the test suite. It speaks the protocol the production provider speaks —
// discovery, JWKS, authorization code flow with PKCE (S256, required), userinfo, RP-initiated logout —
// and releases VNeID-style claims (SoDinhDanh, HoVaTen, …: docs/domain.md §9.2) of the invented identities of data/demo/citizens.json. Production
// never runs this process: the Django side is pointed at the real provider by settings.
//
// Configuration (environment):
//   IDP_ISSUER                    issuer URL (default http://127.0.0.1:8010); the port is taken from it
//   IDP_HOST                      address to bind (default 127.0.0.1)
//   IDP_CLIENT_ID / IDP_CLIENT_SECRET   the one relying party (default motcua-portal / motcua-sandbox-secret)
//   IDP_REDIRECT_URIS             comma-separated (default http://127.0.0.1:8000/dang-nhap/vneid/callback)
//   IDP_POST_LOGOUT_REDIRECT_URIS comma-separated (default http://127.0.0.1:8000/)
//   IDP_DEMO_PASSWORD             the password of every demo identity (default vneid-demo-2026)
//   IDP_IDENTITIES_FILE           JSON file of identities (default ../../data/demo/citizens.json)
//   IDP_JWKS_FILE                 optional JSON {"keys": [private JWKs]}; else a key is generated at start
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import Provider from 'oidc-provider';

const here = path.dirname(fileURLToPath(import.meta.url));
const env = (name, fallback) => {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? fallback : value.trim();
};
const list = (value) => value.split(',').map((item) => item.trim()).filter(Boolean);

const ISSUER = env('IDP_ISSUER', 'http://127.0.0.1:8010').replace(/\/+$/, '');
const issuerUrl = new URL(ISSUER);
const PORT = Number(issuerUrl.port || (issuerUrl.protocol === 'https:' ? 443 : 80));
const HOST = env('IDP_HOST', '127.0.0.1');
const CLIENT_ID = env('IDP_CLIENT_ID', 'motcua-portal');
const CLIENT_SECRET = env('IDP_CLIENT_SECRET', 'motcua-sandbox-secret');
const REDIRECT_URIS = list(env('IDP_REDIRECT_URIS', 'http://127.0.0.1:8000/dang-nhap/vneid/callback'));
const POST_LOGOUT_REDIRECT_URIS = list(env('IDP_POST_LOGOUT_REDIRECT_URIS', 'http://127.0.0.1:8000/'));
const DEMO_PASSWORD = env('IDP_DEMO_PASSWORD', 'vneid-demo-2026');
const IDENTITIES_FILE = env('IDP_IDENTITIES_FILE', path.join(here, '..', '..', 'data', 'demo', 'citizens.json'));
const JWKS_FILE = env('IDP_JWKS_FILE', '');

// --- Identities: the demo people (số định danh) and organisations (mã số thuế) ---------------------

function identitiesLoad(file) {
  const data = JSON.parse(fs.readFileSync(file, 'utf8'));
  const byId = new Map();
  for (const person of data.citizens || []) {
    byId.set(person.personal_id, {
      label: person.full_name,
      kind: 'Công dân',
      claims: {
        LoaiTaiKhoan: 'CongDan',
        SoDinhDanh: person.personal_id,
        HoVaTen: person.full_name,
        NgaySinh: person.birth_date,
        GioiTinh: person.gender,
        SoDienThoai: person.phone || undefined,
        ThuDienTu: person.email || undefined,
        DiaChi: person.permanent_address || undefined,
      },
    });
  }
  for (const org of data.organisations || []) {
    byId.set(org.tax_code, {
      label: org.name,
      kind: 'Tổ chức, doanh nghiệp',
      claims: {
        LoaiTaiKhoan: 'ToChuc',
        MaSoThue: org.tax_code,
        TenToChuc: org.name,
        SoDinhDanhNguoiDaiDien: org.representative_personal_id,
        HoVaTenNguoiDaiDien: org.representative_name,
        SoDienThoai: org.phone || undefined,
        ThuDienTu: org.email || undefined,
        DiaChi: org.address || undefined,
      },
    });
  }
  return byId;
}

const IDENTITIES = identitiesLoad(IDENTITIES_FILE);

// --- Keys --------------------------------------------------------------------------------------------

function jwksLoad() {
  if (JWKS_FILE) return JSON.parse(fs.readFileSync(JWKS_FILE, 'utf8'));
  // A fresh signing key at every start: relying parties read it from the JWKS endpoint.
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  return { keys: [{ ...jwk, kid: crypto.randomUUID(), use: 'sig', alg: 'RS256' }] };
}

// --- Pages (Vietnamese; landmarks, labels, focus order; no external resources) -------------------

const escape = (value) => String(value ?? '').replace(/[&<>"']/g, (c) => ({
  '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;',
}[c]));

const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif;
color:#1a1a1a;background:#f4f5f7;line-height:1.5}
header{background:#a50e0e;color:#fff;padding:1rem}header p{margin:0}.title{font-size:1.25rem;font-weight:700}
.sandbox{background:#fff3cd;color:#3d2c00;border-bottom:2px solid #8a6d00;padding:.75rem 1rem;font-weight:600}
main{max-width:36rem;margin:1rem auto;padding:0 1rem}section{background:#fff;border:1px solid #c9ccd1;
border-radius:.5rem;padding:1rem;margin-bottom:1rem}h1{font-size:1.4rem;margin-top:0}
label{display:block;font-weight:600;margin-top:.75rem}input{width:100%;font-size:1rem;padding:.6rem;
border:2px solid #5a5f66;border-radius:.3rem}input:focus,button:focus,a:focus{outline:3px solid #1d4ed8;outline-offset:2px}
.hint{color:#41464d;font-size:.95rem;margin:.25rem 0 0}.actions{display:flex;flex-wrap:wrap;gap:.5rem;margin-top:1rem}
button{font-size:1rem;padding:.6rem 1rem;border-radius:.3rem;border:2px solid #a50e0e;cursor:pointer;
background:#a50e0e;color:#fff;font-weight:600}button.secondary{background:#fff;color:#a50e0e}
.error{background:#fde8e8;border:2px solid #a50e0e;color:#6b0909;padding:.75rem;border-radius:.3rem}
table{width:100%;border-collapse:collapse;font-size:.95rem}th,td{text-align:left;padding:.4rem;border-bottom:1px solid #d5d8dc}
ul.claims{padding-left:1.2rem}code{font-size:1rem}`;

function page(title, body) {
  return `<!DOCTYPE html>
<html lang="vi">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(title)} — Cổng định danh điện tử (thử nghiệm)</title><style>${STYLE}</style></head>
<body>
<header><p class="title">Cổng định danh điện tử — môi trường thử nghiệm</p>
<p>Giả lập nhà cung cấp định danh (VNeID) cho bản trình diễn và kiểm thử</p></header>
<p class="sandbox" role="note">Môi trường thử nghiệm: mọi danh tính ở đây là giả lập, không phải người thật.
Không dùng trong vận hành chính thức.</p>
<main id="main">${body}</main>
</body></html>`;
}

function loginPage(uid, { error = '', identifier = '' } = {}) {
  const rows = [...IDENTITIES.entries()].map(([id, who]) => (
    `<tr><td><code>${escape(id)}</code></td><td>${escape(who.label)}</td><td>${escape(who.kind)}</td></tr>`
  )).join('');
  // The browser offers the demo identities as suggestions of the field (the table below lists them too).
  const options = [...IDENTITIES.entries()].map(([id, who]) => (
    `<option value="${escape(id)}" label="${escape(who.label)}"></option>`
  )).join('');
  const describedBy = error ? ' aria-describedby="login-error" aria-invalid="true"' : '';
  return page('Đăng nhập', `
<section aria-labelledby="login-title">
<h1 id="login-title">Đăng nhập bằng tài khoản định danh điện tử</h1>
${error ? `<p class="error" id="login-error" role="alert">${escape(error)}</p>` : ''}
<form method="post" action="/interaction/${escape(uid)}/login" novalidate>
<label for="identifier">Số định danh cá nhân hoặc mã số thuế (tổ chức)</label>
<input id="identifier" name="identifier" inputmode="numeric" autocomplete="username" required list="demo-ids"
 value="${escape(identifier)}"${describedBy}${error ? '' : ' autofocus'}>
<datalist id="demo-ids">${options}</datalist>
<p class="hint">Công dân: 12 chữ số trên thẻ căn cước. Tổ chức, doanh nghiệp: mã số thuế.</p>
<label for="password">Mật khẩu</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${describedBy}>
<p class="hint">Mật khẩu thử nghiệm của mọi tài khoản: <strong><code>${escape(DEMO_PASSWORD)}</code></strong></p>
<div class="actions"><button type="submit">Đăng nhập</button></div>
</form>
<form method="post" action="/interaction/${escape(uid)}/abort">
<div class="actions"><button type="submit" class="secondary">Hủy, quay lại dịch vụ</button></div>
</form>
</section>
<section aria-labelledby="demo-title">
<h2 id="demo-title">Danh tính thử nghiệm</h2>
<table><caption class="hint">Nhập một số dưới đây vào ô phía trên.</caption>
<thead><tr><th scope="col">Số định danh / mã số thuế</th><th scope="col">Tên</th><th scope="col">Loại</th></tr></thead>
<tbody>${rows}</tbody></table>
</section>`);
}

const CLAIM_LABELS = {
  SoDinhDanh: 'Số định danh cá nhân', HoVaTen: 'Họ và tên', NgaySinh: 'Ngày sinh', GioiTinh: 'Giới tính',
  SoDienThoai: 'Số điện thoại', ThuDienTu: 'Thư điện tử', DiaChi: 'Địa chỉ', MaSoThue: 'Mã số thuế',
  TenToChuc: 'Tên tổ chức',
};

function consentPage(uid, clientName) {
  const items = Object.values(CLAIM_LABELS).map((label) => `<li>${escape(label)}</li>`).join('');
  return page('Đồng ý chia sẻ thông tin', `
<section aria-labelledby="consent-title">
<h1 id="consent-title">Chia sẻ thông tin với «${escape(clientName)}»?</h1>
<p>Dịch vụ này đề nghị nhận các thông tin định danh sau của bạn:</p>
<ul class="claims">${items}</ul>
<form method="post" action="/interaction/${escape(uid)}/confirm">
<div class="actions">
<button type="submit" name="decision" value="allow" autofocus>Đồng ý</button>
<button type="submit" name="decision" value="deny" class="secondary">Từ chối</button>
</div></form>
</section>`);
}

// --- The provider ----------------------------------------------------------------------------------

const configuration = {
  clients: [{
    client_id: CLIENT_ID,
    client_secret: CLIENT_SECRET,
    client_name: 'Hệ thống thông tin giải quyết TTHC tỉnh Quảng Ninh',
    redirect_uris: REDIRECT_URIS,
    post_logout_redirect_uris: POST_LOGOUT_REDIRECT_URIS,
    grant_types: ['authorization_code'],
    response_types: ['code'],
    token_endpoint_auth_method: 'client_secret_basic',
  }],
  // The VNeID-style scope releases the personal data; `openid` alone gives only `sub`.
  claims: {
    openid: ['sub'],
    vneid: [
      'LoaiTaiKhoan', 'SoDinhDanh', 'HoVaTen', 'NgaySinh', 'GioiTinh', 'SoDienThoai', 'ThuDienTu', 'DiaChi',
      'MaSoThue', 'TenToChuc', 'SoDinhDanhNguoiDaiDien', 'HoVaTenNguoiDaiDien',
    ],
  },
  pkce: { required: () => true },
  features: {
    devInteractions: { enabled: false },
    userinfo: { enabled: true },
    rpInitiatedLogout: {
      enabled: true,
      async logoutSource(ctx, form) {
        ctx.body = page('Đăng xuất', `
<section aria-labelledby="logout-title">
<h1 id="logout-title">Đăng xuất khỏi Cổng định danh điện tử?</h1>
<p>Bạn đã đăng xuất khỏi dịch vụ. Đăng xuất cả ở Cổng định danh để người khác dùng máy này không vào được tài khoản của bạn.</p>
${form}
<div class="actions">
<button autofocus type="submit" form="op.logoutForm" value="yes" name="logout">Đăng xuất khỏi Cổng định danh</button>
<button type="submit" form="op.logoutForm" class="secondary">Vẫn giữ đăng nhập ở Cổng định danh</button>
</div></section>`);
      },
      async postLogoutSuccessSource(ctx) {
        ctx.body = page('Đã đăng xuất', `<section><h1>Bạn đã đăng xuất khỏi Cổng định danh điện tử.</h1></section>`);
      },
    },
  },
  async renderError(ctx, out) {
    ctx.type = 'html';
    ctx.body = page('Có lỗi', `<section aria-labelledby="err-title"><h1 id="err-title">Không thực hiện được yêu cầu</h1>
<p class="error" role="alert">${escape(out.error)}: ${escape(out.error_description)}</p></section>`);
  },
  async findAccount(ctx, sub) {
    const who = IDENTITIES.get(sub);
    if (!who) return undefined;
    return { accountId: sub, async claims() { return { sub, ...who.claims }; } };
  },
  interactions: { url: (ctx, interaction) => `/interaction/${interaction.uid}` },
  cookies: { keys: [crypto.randomBytes(32).toString('hex')] },
  jwks: jwksLoad(),
  // Short-lived sessions: a sandbox.
  ttl: { Session: 8 * 3600, Interaction: 3600, Grant: 8 * 3600, AccessToken: 600, AuthorizationCode: 60, IdToken: 3600 },
};

// State (sessions, grants, codes) lives in the process's memory — the library's development adapter,
// which warns at start: right for a sandbox, whose sessions may vanish at each restart.
const provider = new Provider(ISSUER, configuration);

async function readForm(req) {
  const chunks = [];
  let size = 0;
  for await (const chunk of req) {
    size += chunk.length;
    if (size > 64 * 1024) throw new Error('body too large');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

// Browsers apply form-action to the redirects after a form too: the relying party's origins are allowed.
const RP_ORIGINS = [...new Set([...REDIRECT_URIS, ...POST_LOGOUT_REDIRECT_URIS].map((u) => new URL(u).origin))].join(' ');

function send(res, status, html) {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Cache-Control': 'no-store',
    'X-Frame-Options': 'DENY',
    'Content-Security-Policy': `default-src 'none'; style-src 'unsafe-inline'; form-action 'self' ${RP_ORIGINS}`,
  });
  res.end(html);
}

async function interaction(req, res, uid, action) {
  const details = await provider.interactionDetails(req, res);
  if (details.uid !== uid) throw new Error('interaction mismatch');
  const { prompt, params } = details;

  if (req.method === 'GET' && !action) {
    if (prompt.name === 'login') return send(res, 200, loginPage(uid));
    const client = await provider.Client.find(params.client_id);
    return send(res, 200, consentPage(uid, client?.clientName || params.client_id));
  }
  if (req.method !== 'POST') return send(res, 405, page('Không hỗ trợ', '<section><h1>Phương thức không được hỗ trợ</h1></section>'));

  const form = await readForm(req);
  if (action === 'abort') {
    return provider.interactionFinished(req, res, {
      error: 'access_denied', error_description: 'Người dùng đã hủy đăng nhập',
    }, { mergeWithLastSubmission: false });
  }
  if (action === 'login' && prompt.name === 'login') {
    const identifier = (form.get('identifier') || '').replace(/\s+/g, '');
    const password = form.get('password') || '';
    if (!IDENTITIES.has(identifier) || password !== DEMO_PASSWORD) {
      const error = !identifier
        ? 'Vui lòng nhập số định danh cá nhân hoặc mã số thuế.'
        : 'Số định danh (mã số thuế) hoặc mật khẩu không đúng.';
      return send(res, 400, loginPage(uid, { error, identifier }));
    }
    return provider.interactionFinished(req, res, { login: { accountId: identifier } }, { mergeWithLastSubmission: false });
  }
  if (action === 'confirm' && prompt.name === 'consent') {
    if (form.get('decision') !== 'allow') {
      return provider.interactionFinished(req, res, {
        error: 'access_denied', error_description: 'Người dùng từ chối chia sẻ thông tin',
      }, { mergeWithLastSubmission: false });
    }
    const { details: missing } = prompt;
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: details.session.accountId, clientId: params.client_id });
    if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
    if (missing.missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    const grantId = await grant.save();
    return provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
  }
  return send(res, 400, page('Yêu cầu không hợp lệ', '<section><h1>Yêu cầu không hợp lệ</h1></section>'));
}

const providerCallback = provider.callback();
const INTERACTION = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|confirm|abort))?$/;

const server = http.createServer(async (req, res) => {
  const match = INTERACTION.exec(new URL(req.url, ISSUER).pathname);
  if (!match) return providerCallback(req, res);
  try {
    await interaction(req, res, match[1], match[2]);
  } catch (err) {
    send(res, 400, page('Phiên đăng nhập không hợp lệ', `<section><h1>Phiên đăng nhập đã hết hạn hoặc không hợp lệ</h1>
<p class="error" role="alert">Vui lòng quay lại dịch vụ và bắt đầu đăng nhập lại. (${escape(err.message)})</p></section>`));
  }
});

server.listen(PORT, HOST, () => {
  console.log(`sandbox IdP (Cổng định danh thử nghiệm) ${ISSUER} — client ${CLIENT_ID}, ${IDENTITIES.size} identities`);
});

const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
