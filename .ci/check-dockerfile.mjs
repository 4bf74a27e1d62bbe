#!/usr/bin/env node
// Checks that the Dockerfile's steps work, on a machine without a Docker engine.
//
// It reads the Dockerfile and plays its stages out in a temporary directory:
// the build context is the repo's git-tracked files less .dockerignore, each
// stage's WORKDIR is a directory of its own ("build", "runtime"), COPY copies
// into it (COPY --from=<stage> from the earlier stage's directory), and RUN
// runs there with `sh -c`. Then it starts the final stage's CMD with the
// image's ENV, runs the HEALTHCHECK command as written, reads /v1/articles,
// and stops the server with SIGTERM (or STOPSIGNAL), which must exit 0.
//
// What it cannot emulate, it says so:
// - FROM: the base image is not pulled; this machine's node, npm, sh and
//   build tools stand in for it (a different Node.js major is warned about).
// - RUN lines with apt-get are skipped (they would change this machine);
//   the packages they name are looked for here instead.
// - USER: everything runs as the user running the check. Instead, the check
//   fails if the server writes anywhere in the runtime WORKDIR, which in the
//   image is owned by root and not writable by a non-root USER.
// - VOLUME paths and DATABASE_PATH are mapped to a temporary data directory;
//   `chown <USER>` on a user this machine does not have is skipped.
//
// Usage: node .ci/check-dockerfile.mjs [--committed] [--reuse-install]
//   --committed  take the build context from HEAD instead of the tracked
//                files' contents in the work tree (the Dockerfile and
//                .dockerignore are always read from the work tree).
//   --reuse-install  a RUN that is only `npm ci [--flags]`, on a package.json and
//                package-lock.json identical to the repo's, copies the repo's node_modules instead
//                of installing again, when that node_modules was installed by
//                `npm ci` from this same lock file after its last change (as
//                .ci/run does just before) and package.json has no install-time
//                scripts of its own (so the install cannot depend on any file
//                the Dockerfile had not yet copied). An `npm ci` costs minutes
//                here (better-sqlite3 compiles from source); the copy, seconds.
// Exit status 0 when every step passed, 1 otherwise. Bounded to 9.5 minutes.

import { spawn, spawnSync } from 'node:child_process'
import {
  cpSync, existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync,
} from 'node:fs'
import { connect, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { basename, dirname, join, posix, relative } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = fileURLToPath(new URL('..', import.meta.url))
const started = Date.now()
const TOTAL_LIMIT_MS = 570_000
const STOP_LIMIT_MS = 15_000
const START_LIMIT_MS = 60_000
const ADMIN_KEY = 'dockerfile-check-admin-key-0123x' // 32 characters
const committed = process.argv.includes('--committed')
const reuseInstall = process.argv.includes('--reuse-install')

const children = new Set()
let tmpRoot = null
let stepNo = 0

class CheckFailed extends Error {}
const fail = (message) => {
  throw new CheckFailed(message)
}
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`
const log = (line = '') => process.stdout.write(`${line}\n`)
const step = (what) => log(`\n[check-dockerfile] step ${++stepNo}: ${what}`)
const info = (line) => log(`  ${line}`)
const remaining = () => TOTAL_LIMIT_MS - (Date.now() - started)

// ---------------------------------------------------------------- parsing

/** Instructions with their line numbers; continuation lines joined, comments dropped. */
function parseDockerfile(text) {
  const lines = text.split(/\r?\n/)
  const out = []
  let buf = null
  let first = 0
  lines.forEach((line, i) => {
    const blank = /^\s*$/.test(line)
    const comment = /^\s*#/.test(line)
    if (buf === null) {
      if (blank || comment) return
      buf = ''
      first = i + 1
    } else if (blank || comment) {
      return // Docker drops comment and empty lines inside a continued instruction
    }
    if (/\\\s*$/.test(line)) {
      buf += line.replace(/\\\s*$/, '')
      return
    }
    out.push(split(buf + line, first))
    buf = null
  })
  if (buf !== null) out.push(split(buf, first))
  return out
  function split(raw, line) {
    const m = /^\s*(\S+)\s*([\s\S]*)$/.exec(raw)
    return { line, keyword: m[1].toUpperCase(), args: m[2].trim(), raw: raw.trim() }
  }
}

/** The array of an exec-form (JSON) argument, or null for the shell form. */
function execForm(args) {
  if (!args.startsWith('[')) return null
  try {
    const parsed = JSON.parse(args)
    return Array.isArray(parsed) && parsed.every((x) => typeof x === 'string') ? parsed : null
  } catch {
    return null
  }
}

/** Shell-like words: quotes removed, $VAR / ${VAR} / ${VAR:-x} / ${VAR:+x} replaced (not in single quotes). */
function words(text, vars) {
  const out = []
  let word = null
  for (let i = 0; i < text.length; i++) {
    const c = text[i]
    if (/\s/.test(c)) {
      if (word !== null) out.push(word)
      word = null
      continue
    }
    word ??= ''
    if (c === '\\' && i + 1 < text.length) {
      word += text[++i]
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1)
      if (end < 0) fail(`unbalanced ' in: ${text}`)
      word += text.slice(i + 1, end)
      i = end
    } else if (c === '"') {
      let j = i + 1
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\' && j + 1 < text.length) word += text[++j]
        else if (text[j] === '$') j = variable(j) - 1
        else word += text[j]
      }
      if (j >= text.length) fail(`unbalanced " in: ${text}`)
      i = j
    } else if (c === '$') {
      i = variable(i) - 1
    } else {
      word += c
    }
  }
  if (word !== null) out.push(word)
  return out

  // Appends the value of the variable at text[at] ('$') and returns the index after it.
  function variable(at) {
    const braced = /^\$\{([A-Za-z_]\w*)(?::([-+])([^}]*))?\}/.exec(text.slice(at))
    const plain = /^\$([A-Za-z_]\w*)/.exec(text.slice(at))
    if (braced) {
      const [all, name, op, alt] = braced
      const value = vars[name]
      if (op === '-') word += value ? value : alt
      else if (op === '+') word += value ? alt : ''
      else word += value ?? ''
      return at + all.length
    }
    if (plain) {
      word += vars[plain[1]] ?? ''
      return at + plain[0].length
    }
    word += '$'
    return at + 1
  }
}

/** Leading --name=value flags of an instruction, and the rest. */
function flags(args) {
  const found = {}
  let rest = args
  for (;;) {
    const m = /^--([a-z-]+)(?:=(\S*))?\s*/.exec(rest)
    if (!m) return { flags: found, rest }
    found[m[1]] = m[2] ?? 'true'
    rest = rest.slice(m[0].length)
  }
}

function duration(text, fallback) {
  if (!text) return fallback
  let ms = 0
  for (const [, n, unit] of text.matchAll(/([\d.]+)(ms|s|m|h)/g)) ms += Number(n) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[unit]
  return ms || fallback
}

/** Docker's .dockerignore matching: last matching pattern wins, a match on a parent directory counts. */
function dockerignore(text) {
  const rules = []
  for (let line of text.split(/\r?\n/)) {
    line = line.trim()
    if (line === '' || line.startsWith('#')) continue
    const negate = line.startsWith('!')
    if (negate) line = line.slice(1).trim()
    const pattern = posix.normalize(line).replace(/^\/+/, '').replace(/\/+$/, '')
    rules.push({ negate, re: globToRegExp(pattern) })
  }
  return (path) => {
    const parts = path.split('/')
    let ignored = false
    for (const rule of rules) {
      for (let n = 1; n <= parts.length; n++) {
        if (rule.re.test(parts.slice(0, n).join('/'))) {
          ignored = !rule.negate
          break
        }
      }
    }
    return ignored
  }
}

function globToRegExp(glob) {
  let re = ''
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]
    if (c === '*' && glob[i + 1] === '*') {
      i++
      if (glob[i + 1] === '/') {
        i++
        re += '(?:.*/)?'
      } else {
        re += '.*'
      }
    } else if (c === '*') re += '[^/]*'
    else if (c === '?') re += '[^/]'
    else if (c === '[') {
      const end = glob.indexOf(']', i)
      if (end < 0) re += '\\['
      else {
        re += `[${glob.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\')}]`
        i = end
      }
    } else if (c === '\\' && i + 1 < glob.length) re += `\\${glob[++i]}`
    else re += c.replace(/[.+^${}()|\\/]/g, '\\$&')
  }
  return new RegExp(`^${re}$`)
}

// -------------------------------------------------------------- processes

/** Runs a command to its end, bounded; output goes to this process's stdout. */
function run(argv, { cwd, env, limitMs, capture = false }) {
  const limit = Math.max(1000, Math.min(limitMs, remaining()))
  return new Promise((resolve, reject) => {
    const child = spawn(argv[0], argv.slice(1), {
      cwd,
      env,
      detached: true, // its own process group, so a timeout ends what it started too
      stdio: ['ignore', capture ? 'pipe' : 'inherit', capture ? 'pipe' : 'inherit'],
    })
    children.add(child)
    let output = ''
    child.stdout?.on('data', (d) => (output += d))
    child.stderr?.on('data', (d) => (output += d))
    let timedOut = false
    const timer = setTimeout(() => {
      timedOut = true
      killGroup(child, 'SIGKILL')
    }, limit)
    child.on('error', (err) => {
      clearTimeout(timer)
      children.delete(child)
      reject(new CheckFailed(`could not run ${argv[0]}: ${err.message}`))
    })
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      children.delete(child)
      resolve({ code, signal, timedOut, output, limit })
    })
  })
}

function killGroup(child, signal) {
  try {
    process.kill(-child.pid, signal)
  } catch {
    try {
      child.kill(signal)
    } catch {
      // already gone
    }
  }
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer()
    server.on('error', reject)
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address()
      server.close(() => resolve(port))
    })
  })
}

function canConnect(port) {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port })
    socket.setTimeout(1000)
    socket.on('connect', () => {
      socket.destroy()
      resolve(true)
    })
    socket.on('timeout', () => {
      socket.destroy()
      resolve(false)
    })
    socket.on('error', () => resolve(false))
  })
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// -------------------------------------------------------------- the image

function git(args) {
  const r = spawnSync('git', args, { cwd: repo, encoding: 'buffer', maxBuffer: 256 * 1024 * 1024 })
  if (r.status !== 0) fail(`git ${args.join(' ')} failed: ${r.stderr?.toString() ?? r.error?.message}`)
  return r.stdout
}

/** The build context: tracked files (work tree or HEAD), less what .dockerignore excludes. */
function buildContext(dir, ignored) {
  mkdirSync(dir, { recursive: true })
  const tracked = git(['ls-files', '-z']).toString().split('\0').filter(Boolean)
  if (committed) {
    const tar = spawnSync('tar', ['-x', '-C', dir], { input: git(['archive', '--format=tar', 'HEAD']) })
    if (tar.status !== 0) fail(`could not unpack git archive HEAD: ${tar.stderr}`)
  }
  let copied = 0
  let excluded = 0
  let missing = 0
  for (const file of tracked) {
    if (ignored(file)) {
      excluded++
      if (committed) rmSync(join(dir, file), { force: true, recursive: true })
      continue
    }
    if (committed) {
      copied += existsSync(join(dir, file)) ? 1 : 0
      continue
    }
    const from = join(repo, file)
    if (!existsSync(from) && !isSymlink(from)) {
      missing++ // deleted in the work tree: not in a `docker build` context either
      continue
    }
    mkdirSync(dirname(join(dir, file)), { recursive: true })
    cpSync(from, join(dir, file), { verbatimSymlinks: true })
    copied++
  }
  return { copied, excluded, missing }
}

function isSymlink(path) {
  try {
    return lstatSync(path).isSymbolicLink()
  } catch {
    return false
  }
}

/** path -> "size:mtime:mode" of every entry under dir, and the total size. */
function snapshot(dir) {
  const entries = new Map()
  let bytes = 0
  const walk = (d) => {
    for (const name of readdirSync(d)) {
      const p = join(d, name)
      const st = lstatSync(p)
      entries.set(relative(dir, p), `${st.size}:${st.mtimeMs}:${st.mode}`)
      bytes += st.size
      if (st.isDirectory()) walk(p)
    }
  }
  walk(dir)
  return { entries, bytes }
}

function userExists(name) {
  return /^\d+$/.test(name) || spawnSync('id', ['-u', name], { stdio: 'ignore' }).status === 0
}

async function main() {
  const dockerfilePath = join(repo, 'Dockerfile')
  const instructions = parseDockerfile(readFileSync(dockerfilePath, 'utf8'))
  const ignorePath = join(repo, '.dockerignore')
  const ignored = dockerignore(existsSync(ignorePath) ? readFileSync(ignorePath, 'utf8') : '')

  // Split into stages; the last stage is the image.
  const stages = []
  for (const ins of instructions) {
    if (ins.keyword === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args)
      if (!m) fail(`line ${ins.line}: cannot read FROM ${ins.args}`)
      stages.push({ image: m[1], name: m[2] ?? null, instructions: [] })
    } else if (ins.keyword === 'ARG' && stages.length === 0) {
      continue // a global ARG before the first FROM
    } else {
      if (stages.length === 0) fail(`line ${ins.line}: ${ins.keyword} before FROM`)
      stages.at(-1).instructions.push(ins)
    }
  }
  if (stages.length === 0) fail('the Dockerfile has no FROM')

  tmpRoot = mkdtempSync(join(tmpdir(), 'newsdesk-dockerfile-'))
  const contextDir = join(tmpRoot, 'context')
  const volumesDir = join(tmpRoot, 'volumes')
  const shimDir = join(tmpRoot, 'shim')
  stages.forEach((s, i) => {
    s.label = s.name ?? (i === stages.length - 1 ? 'runtime' : `stage-${i}`)
    s.dir = join(tmpRoot, s.label)
    s.root = null // the image path s.dir stands for: the stage's first WORKDIR
    s.workdir = '/'
    s.env = {}
    s.args = {}
    s.user = 'root'
    s.volumes = new Map()
    s.expose = []
    // VOLUME paths map to temporary directories from the start of the stage,
    // so that a RUN before the VOLUME line (mkdir, chown) works on them.
    for (const ins of s.instructions.filter((x) => x.keyword === 'VOLUME')) {
      for (const v of execForm(ins.args) ?? words(ins.args, {})) {
        s.volumes.set(posix.normalize(v).replace(/\/+$/, ''), join(volumesDir, `${s.label}${v.replace(/\//g, '_')}`))
      }
    }
  })
  log(`[check-dockerfile] ${relative(process.cwd(), dockerfilePath) || 'Dockerfile'}: ${stages.length} stage(s): ` +
    stages.map((s) => `${s.label} (FROM ${s.image})`).join(', '))
  log(`[check-dockerfile] working in ${tmpRoot}`)

  step(`build context: git-tracked files of ${committed ? 'HEAD' : 'the work tree'}, less .dockerignore`)
  const ctx = buildContext(contextDir, ignored)
  info(`${ctx.copied} files in the context, ${ctx.excluded} excluded by .dockerignore` +
    (ctx.missing ? `, ${ctx.missing} tracked but deleted in the work tree` : ''))

  const toHost = (stage, imagePath) => {
    const p = posix.normalize(imagePath)
    for (const [volume, host] of stage.volumes) {
      if (p === volume || p.startsWith(`${volume}/`)) return join(host, p.slice(volume.length))
    }
    if (stage.root === null) fail(`stage ${stage.label}: ${imagePath} is used before any WORKDIR; the check maps only the WORKDIR`)
    if (p === stage.root || p.startsWith(`${stage.root === '/' ? '' : stage.root}/`)) return join(stage.dir, p.slice(stage.root.length))
    fail(`stage ${stage.label}: ${imagePath} is outside WORKDIR ${stage.root}; the check cannot emulate it`)
  }

  const skipped = []
  const hostNodeMajor = process.versions.node.split('.')[0]
  let healthcheck = null
  let cmd = null
  let entrypoint = null
  let stopSignal = 'SIGTERM'

  for (const [index, stage] of stages.entries()) {
    const final = index === stages.length - 1
    step(`stage ${stage.label}: FROM ${stage.image}`)
    const tag = /^node:(\d+)/.exec(stage.image)
    if (tag && tag[1] !== hostNodeMajor) info(`WARNING: the image has Node.js ${tag[1]}, this machine ${process.versions.node}`)
    info(`the base image is not pulled: this machine (Node.js ${process.versions.node}, npm, sh) stands in for it`)
    mkdirSync(stage.dir, { recursive: true })
    const foreignUsers = stage.instructions
      .filter((x) => x.keyword === 'USER')
      .map((x) => words(x.args, {})[0].split(':')[0])
      .filter((u) => !userExists(u))

    for (const ins of stage.instructions) {
      const vars = { ...stage.args, ...stage.env }
      const where = `line ${ins.line}`
      switch (ins.keyword) {
        case 'WORKDIR': {
          const [dir] = words(ins.args, vars)
          stage.workdir = posix.resolve(stage.workdir, dir)
          stage.root ??= stage.workdir
          step(`${stage.label}: WORKDIR ${stage.workdir}  (${where}; here: ${relative(tmpRoot, toHost(stage, stage.workdir)) || '.'})`)
          mkdirSync(toHost(stage, stage.workdir), { recursive: true })
          break
        }
        case 'ENV': {
          const ws = words(ins.args, vars)
          if (ws.length > 0 && !ws[0].includes('=')) {
            stage.env[ws[0]] = words(ins.args.replace(/^\S+\s*/, ''), vars).join(' ')
          } else {
            for (const w of ws) {
              const eq = w.indexOf('=')
              if (eq <= 0) fail(`${where}: cannot read ENV ${ins.args}`)
              stage.env[w.slice(0, eq)] = w.slice(eq + 1)
            }
          }
          step(`${stage.label}: ENV ${ws.join(' ')}  (${where})`)
          break
        }
        case 'ARG': {
          for (const w of words(ins.args, vars)) {
            const eq = w.indexOf('=')
            if (eq > 0) stage.args[w.slice(0, eq)] = w.slice(eq + 1)
            else stage.args[w] ??= ''
          }
          break
        }
        case 'COPY': {
          step(`${stage.label}: COPY ${ins.args}  (${where})`)
          copy(stage, ins, vars)
          break
        }
        case 'RUN': {
          await runStep(stage, ins, foreignUsers)
          break
        }
        case 'USER': {
          stage.user = words(ins.args, vars)[0]
          step(`${stage.label}: USER ${stage.user}  (${where})`)
          info(`not emulated: this check runs as ${process.getuid?.() === 0 ? 'root' : 'the current user'}` +
            (userExists(stage.user.split(':')[0]) ? '' : `, and this machine has no user ${stage.user.split(':')[0]}`) +
            '; instead the check fails if the server writes inside the runtime WORKDIR (owned by root in the image)')
          break
        }
        case 'VOLUME': {
          step(`${stage.label}: VOLUME ${ins.args}  (${where})`)
          for (const [volume, host] of stage.volumes) info(`${volume} is ${relative(tmpRoot, host)} here`)
          break
        }
        case 'EXPOSE': {
          stage.expose.push(...words(ins.args, vars).map((p) => p.split('/')[0]))
          step(`${stage.label}: EXPOSE ${ins.args}  (${where})`)
          break
        }
        case 'HEALTHCHECK': {
          step(`${stage.label}: HEALTHCHECK  (${where})`)
          if (/^NONE$/i.test(ins.args)) healthcheck = null
          else {
            const f = flags(ins.args)
            const m = /^CMD\s+([\s\S]+)$/i.exec(f.rest)
            if (!m) fail(`${where}: cannot read HEALTHCHECK ${ins.args}`)
            const argv = execForm(m[1]) ?? ['/bin/sh', '-c', m[1]]
            healthcheck = { argv, timeoutMs: duration(f.flags.timeout, 30_000), line: ins.line }
            info(`recorded: ${JSON.stringify(argv)} (timeout ${seconds(healthcheck.timeoutMs)}); it runs once the server listens`)
          }
          break
        }
        case 'CMD':
        case 'ENTRYPOINT': {
          const form = execForm(ins.args) ?? ['/bin/sh', '-c', ins.args]
          if (ins.keyword === 'CMD') cmd = form
          else entrypoint = form
          step(`${stage.label}: ${ins.keyword} ${JSON.stringify(form)}  (${where}; it runs at the end)`)
          break
        }
        case 'STOPSIGNAL': {
          const [signal] = words(ins.args, vars)
          stopSignal = signal.startsWith('SIG') ? signal : `SIG${signal}`
          step(`${stage.label}: STOPSIGNAL ${stopSignal}  (${where})`)
          break
        }
        case 'LABEL':
        case 'MAINTAINER':
          break
        default:
          fail(`${where}: ${ins.keyword} is not something this check can emulate; teach .ci/check-dockerfile.mjs about it`)
      }
    }
    if (!final) {
      healthcheck = null
      cmd = null
      entrypoint = null
      stopSignal = 'SIGTERM'
    }
  }

  await startImage(stages.at(-1), { healthcheck, argv: entrypoint && cmd && !isShell(entrypoint) ? [...entrypoint, ...cmd] : entrypoint ?? cmd, stopSignal, toHost })
  checkReadmeDocker(stages.at(-1))
  return skipped

  function isShell(argv) {
    return argv[0] === '/bin/sh' && argv[1] === '-c'
  }

  function copy(stage, ins, vars) {
    const f = flags(ins.args)
    const list = execForm(f.rest) ?? words(f.rest, vars)
    if (list.length < 2) fail(`line ${ins.line}: COPY needs a source and a destination`)
    const destRaw = list.at(-1)
    const dest = toHost(stage, posix.resolve(stage.workdir, destRaw))
    const fromStage = f.flags.from
      ? stages.find((s) => s.name === f.flags.from) ?? stages[Number(f.flags.from)] ?? fail(`line ${ins.line}: COPY --from=${f.flags.from}: no such stage (an image cannot be emulated)`)
      : null
    if (fromStage && stages.indexOf(fromStage) >= stages.indexOf(stage)) fail(`line ${ins.line}: COPY --from=${f.flags.from} names a later stage`)
    for (const flag of Object.keys(f.flags).filter((k) => k !== 'from')) info(`--${flag} is not emulated`)

    const sources = []
    for (const src of list.slice(0, -1)) {
      const base = fromStage ? toHost(fromStage, posix.resolve('/', src)) : join(contextDir, posix.normalize(src).replace(/^\/+/, ''))
      if (/[*?[]/.test(basename(base))) {
        const re = globToRegExp(basename(base))
        const dir = dirname(base)
        const found = existsSync(dir) ? readdirSync(dir).filter((n) => re.test(n)).map((n) => join(dir, n)) : []
        if (found.length === 0) fail(`line ${ins.line}: COPY ${src}: nothing matches`)
        sources.push(...found)
      } else if (!existsSync(base) && !isSymlink(base)) {
        fail(`line ${ins.line}: COPY ${src}: not found ${fromStage ? `in stage ${fromStage.label}` : 'in the build context (is it tracked by git and not in .dockerignore?)'}`)
      } else {
        sources.push(base)
      }
    }
    const intoDir = destRaw.endsWith('/') || sources.length > 1 || (existsSync(dest) && statSync(dest).isDirectory())
    for (const source of sources) {
      const isDir = !isSymlink(source) && statSync(source).isDirectory()
      const target = isDir ? dest : intoDir ? join(dest, basename(source)) : dest
      mkdirSync(isDir ? target : dirname(target), { recursive: true })
      cpSync(source, target, { recursive: true, verbatimSymlinks: true, force: true })
      info(`${relative(tmpRoot, source)} -> ${relative(tmpRoot, target)}`)
    }
  }

  async function runStep(stage, ins, foreignUsers) {
    const argv = execForm(ins.args)
    const text = argv ? argv.join(' ') : ins.args
    step(`${stage.label}: RUN ${text.replace(/\s+/g, ' ')}  (line ${ins.line})`)
    if (/^<</.test(ins.args)) fail(`line ${ins.line}: RUN with a heredoc is not something this check can emulate`)
    if (/\bapt-get\b/.test(text)) {
      const install = /apt-get\s+install\s+([^&;|]*)/.exec(text)
      const packages = install ? install[1].split(/\s+/).filter((w) => w && !w.startsWith('-')) : []
      skipped.push(`line ${ins.line}: RUN apt-get ...`)
      info('SKIPPED: apt-get would change this machine, not an image')
      for (const p of packages) {
        const where = spawnSync('sh', ['-c', `command -v ${p}`], { encoding: 'utf8' }).stdout.trim()
        info(`  ${p}: ${where ? `found here (${where})` : 'NOT FOUND here; later steps may fail'}`)
      }
      return
    }
    // Image paths in the command (the WORKDIR, VOLUMEs) become their stand-ins here.
    const mapping = [...stage.volumes.entries()]
    if (stage.root) mapping.push([stage.root, stage.dir])
    mapping.sort((a, b) => b[0].length - a[0].length)
    const mapPaths = (s) => mapping.reduce((acc, [from, to]) =>
      acc.replace(new RegExp(`(^|[\\s'"=:])${from.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=$|[\\s'"/;&|)<>])`, 'g'), `$1${to}`), s)
    const command = argv ? argv.map(mapPaths) : ['/bin/sh', '-c', mapPaths(ins.args)]
    const outside = [...command.join(' ').matchAll(/(?:^|[\s'"=:])(\/(?!\/)[^\s'";&|)<>]*)/g)]
      .map((m) => m[1])
      .filter((p) => !p.startsWith(tmpRoot) && !/^\/(dev\/(null|stdout|stderr)|bin\/sh|usr\/bin\/\w+|bin\/\w+)$/.test(p))
    if (outside.length > 0) fail(`line ${ins.line}: RUN names ${outside.join(', ')}, outside what the check emulates; running it here would change this machine`)
    const mapped = argv ? command.join(' ') : command.at(-1)
    if (mapped !== text) info(`here: ${mapped.replace(/\s+/g, ' ')}`)

    let path = process.env.PATH ?? '/usr/bin:/bin'
    if (foreignUsers.length > 0 && /\bchown\b/.test(text)) {
      // A stand-in chown that skips the users only the image has.
      const real = spawnSync('sh', ['-c', 'command -v chown'], { encoding: 'utf8' }).stdout.trim() || '/bin/chown'
      mkdirSync(shimDir, { recursive: true })
      const pattern = foreignUsers.map((u) => `${u}|${u}:*`).join('|')
      writeFileSync(join(shimDir, 'chown'), `#!/bin/sh
for a in "$@"; do
  case "$a" in ${pattern}) echo "  SKIPPED: chown $* (user ${foreignUsers.join(', ')} exists in the image, not on this machine)"; exit 0 ;; esac
done
exec ${real} "$@"
`, { mode: 0o755 })
      path = `${shimDir}:${path}`
    }
    const env = { ...process.env, PATH: path, ...stage.args, ...stage.env }
    for (const k of Object.keys(env)) if (/^npm_/i.test(k) || k === 'INIT_CWD' || k === 'NODE_OPTIONS') delete env[k]
    if (!('NODE_ENV' in stage.env)) delete env.NODE_ENV

    const t0 = Date.now()
    if (reuseInstall && reuseRepoInstall(toHost(stage, stage.workdir), mapped)) {
      info(`ok (${seconds(Date.now() - t0)})`)
      return
    }
    const result = await run(command, { cwd: toHost(stage, stage.workdir), env, limitMs: remaining() })
    if (result.timedOut) fail(`line ${ins.line}: RUN did not finish within ${seconds(result.limit)}`)
    if (result.code !== 0) fail(`line ${ins.line}: RUN exited with ${result.code ?? result.signal}`)
    info(`ok (${seconds(Date.now() - t0)})`)
  }
}

/**
 * --reuse-install: for a RUN that is only `npm ci`, copies the repo's node_modules when it is what
 * that `npm ci` would install (see the usage above). Says why not, and returns false, otherwise.
 */
function reuseRepoInstall(dir, command) {
  if (!/^npm ci(\s+--[a-z-]+)*$/.test(command.trim())) return false
  const why = (reason) => {
    info(`--reuse-install: running npm ci (${reason})`)
    return false
  }
  const lock = join(dir, 'package-lock.json')
  const repoLock = join(repo, 'package-lock.json')
  const installed = join(repo, 'node_modules', '.package-lock.json')
  if (!existsSync(lock) || !readFileSync(lock).equals(readFileSync(repoLock))) return why('the lock file differs from the repo\'s')
  if (!readFileSync(join(dir, 'package.json')).equals(readFileSync(join(repo, 'package.json')))) return why('package.json differs from the repo\'s')
  if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(repoLock).mtimeMs) return why('the repo\'s node_modules is older than its lock file')
  if (existsSync(join(dir, 'node_modules'))) return why('node_modules is already there')
  const scripts = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).scripts ?? {}
  const own = ['preinstall', 'install', 'postinstall', 'prepare'].filter((k) => k in scripts)
  if (own.length > 0) return why(`package.json has ${own.join(', ')} scripts`)
  cpSync(join(repo, 'node_modules'), join(dir, 'node_modules'), { recursive: true, verbatimSymlinks: true })
  info('--reuse-install: copied the repo\'s node_modules, installed by npm ci from this same lock file')
  return true
}

/** Starts the image's command as the container would, and checks it serves and stops. */
async function startImage(stage, { healthcheck, argv, stopSignal, toHost }) {
  if (!argv) fail('the image has no CMD or ENTRYPOINT')
  const image = stage.env
  if (!stage.root) fail('the image has no WORKDIR')
  step(`runtime: checks of the image's settings`)
  if (image.PORT && !stage.expose.includes(image.PORT)) fail(`ENV PORT=${image.PORT} but EXPOSE ${stage.expose.join(' ') || '(none)'}: the port the server listens on is not exposed`)
  info(`the server listens on ENV PORT=${image.PORT ?? '(unset)'}; EXPOSE ${stage.expose.join(' ')}`)
  if (image.HOST !== '0.0.0.0' && image.HOST !== '::') fail(`ENV HOST=${image.HOST ?? '(unset: 127.0.0.1)'}: the server would not be reachable from outside the container`)
  info(`HOST=${image.HOST}: reachable from outside the container`)
  const dataPath = image.DATABASE_PATH ?? 'data/newsdesk.db'
  const imageDataPath = posix.resolve(stage.workdir, dataPath)
  const volume = [...stage.volumes.keys()].find((v) => imageDataPath.startsWith(`${v}/`))
  if (!volume) fail(`DATABASE_PATH=${dataPath} is not on a VOLUME: the database would be lost with the container`)
  info(`DATABASE_PATH=${imageDataPath} is on the VOLUME ${volume}`)
  const dbHost = toHost(stage, imageDataPath)
  if (!existsSync(dirname(dbHost))) fail(`the database's directory ${dirname(imageDataPath)} does not exist in the image (here: ${dirname(dbHost)})`)

  const port = await freePort()
  const env = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    ...image,
    PORT: String(port),
    DATABASE_PATH: dbHost,
    NEWSDESK_ADMIN_KEY: ADMIN_KEY,
  }
  const cwd = toHost(stage, stage.workdir)
  const before = snapshot(cwd)
  info(`the runtime WORKDIR holds ${before.entries.size} files and directories, ${(before.bytes / 1e6).toFixed(1)} MB`)

  step(`runtime: start ${JSON.stringify(argv)} in ${relative(tmpRoot, cwd)}`)
  info(`env: ${Object.entries(env).filter(([k]) => k !== 'PATH').map(([k, v]) => `${k}=${k === 'NEWSDESK_ADMIN_KEY' ? '(32-character test key)' : v}`).join(' ')}`)
  info(`(PORT, DATABASE_PATH and NEWSDESK_ADMIN_KEY are the check's; HOST is the image's)`)
  const server = spawn(argv[0], argv.slice(1), { cwd, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
  children.add(server)
  const onData = (d) => {
    for (const line of String(d).split('\n').filter(Boolean)) log(`  | ${line.slice(0, 400)}`)
  }
  server.stdout.on('data', onData)
  server.stderr.on('data', onData)
  let exit = null
  const exited = new Promise((resolve) => server.on('exit', (code, signal) => resolve((exit = { code, signal }))))
  server.on('error', (err) => (exit = { code: null, signal: `a failure to start ${argv[0]} (${err.message})` }))

  try {
    const t0 = Date.now()
    const deadline = t0 + Math.min(START_LIMIT_MS, remaining())
    while (!(await canConnect(port))) {
      if (exit) fail(`the server exited with ${exit.code ?? exit.signal} before listening`)
      if (Date.now() > deadline) fail(`the server was not listening on port ${port} within ${seconds(deadline - t0)}`)
      await sleep(200)
    }
    info(`listening on port ${port} after ${seconds(Date.now() - t0)}`)

    if (healthcheck) {
      step(`runtime: HEALTHCHECK ${JSON.stringify(healthcheck.argv)}  (line ${healthcheck.line})`)
      const result = await run(healthcheck.argv, { cwd, env, limitMs: healthcheck.timeoutMs, capture: true })
      if (result.output.trim()) info(result.output.trim())
      if (result.timedOut) fail(`the HEALTHCHECK command did not finish within its --timeout ${seconds(healthcheck.timeoutMs)}`)
      if (result.code !== 0) fail(`the HEALTHCHECK command exited with ${result.code ?? result.signal}: the container would be unhealthy`)
      info('exit 0: healthy')
    } else {
      info('WARNING: the image has no HEALTHCHECK')
    }

    step('runtime: GET /v1/articles (demo content is loaded at first start)')
    const res = await fetch(`http://127.0.0.1:${port}/v1/articles`, { signal: AbortSignal.timeout(10_000) })
    const body = await res.text()
    if (res.status !== 200) fail(`GET /v1/articles answered ${res.status}: ${body.slice(0, 500)}`)
    const list = JSON.parse(body).data
    if (!Array.isArray(list) || list.length < 3) fail(`GET /v1/articles listed ${list?.length} articles; the demo content has at least 3`)
    info(`200, ${list.length} articles: ${list.map((a) => a.slug).join(', ')}`)

    step('runtime: GET /v1/api-keys with NEWSDESK_ADMIN_KEY (the bootstrap admin key)')
    const keys = await fetch(`http://127.0.0.1:${port}/v1/api-keys`, {
      headers: { authorization: `Bearer ${ADMIN_KEY}` },
      signal: AbortSignal.timeout(10_000),
    })
    if (keys.status !== 200) fail(`GET /v1/api-keys answered ${keys.status}: ${(await keys.text()).slice(0, 500)}`)
    info('200')

    step(`runtime: ${stopSignal} (docker stop), expect exit 0 within ${seconds(STOP_LIMIT_MS)}`)
    const t1 = Date.now()
    server.kill(stopSignal)
    const stopped = await Promise.race([exited, sleep(STOP_LIMIT_MS).then(() => null)])
    if (!stopped) fail(`the server was still running ${seconds(STOP_LIMIT_MS)} after ${stopSignal}`)
    if (stopped.code !== 0) fail(`the server exited with ${stopped.code ?? stopped.signal} after ${stopSignal}`)
    info(`exit 0 after ${seconds(Date.now() - t1)}`)
  } finally {
    if (!exit) killGroup(server, 'SIGKILL')
    children.delete(server)
  }

  step(`runtime: USER ${stage.user}: nothing written outside the data volume`)
  const after = snapshot(cwd)
  const changed = [...after.entries].filter(([p, v]) => before.entries.get(p) !== v).map(([p]) => p)
  const removed = [...before.entries.keys()].filter((p) => !after.entries.has(p))
  if (changed.length || removed.length) {
    const why = stage.user === 'root' || stage.user === '0' ? 'which is not a volume' : `which USER ${stage.user} cannot write in the image`
    fail(`the server wrote in the runtime WORKDIR ${stage.workdir}, ${why}: ` +
      [...changed, ...removed].slice(0, 20).join(', '))
  }
  info(`the runtime WORKDIR ${stage.workdir} is unchanged; the database is in the volume (${existsSync(dbHost) ? 'created' : 'MISSING'})`)
  if (!existsSync(dbHost)) fail(`the server did not create its database at ${imageDataPath}`)
  if (stage.user !== 'root' && stage.user !== '0') {
    info(`not checked: writes outside ${stage.workdir} and the volume (the check runs as ${process.getuid?.() === 0 ? 'root' : 'this user'}, not as ${stage.user})`)
  }
}

/** The README's `docker run` publishes an EXPOSEd port and mounts a VOLUME. */
function checkReadmeDocker(stage) {
  const readmePath = join(repo, 'README.md')
  const readme = existsSync(readmePath) ? readFileSync(readmePath, 'utf8') : ''
  const section = /^## Docker\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(readme)?.[1]
  const line = section?.split('\n').find((l) => /^docker run /.test(l))
  step("README: the Docker section's docker run fits the image")
  if (!line) {
    info('no `docker run` line in a "## Docker" section; nothing to check')
    return
  }
  for (const [, published] of line.matchAll(/-p\s+(?:[\d.]+:)?\d+:(\d+)/g)) {
    if (!stage.expose.includes(published)) fail(`README: docker run publishes container port ${published}, the image EXPOSEs ${stage.expose.join(' ')}`)
    info(`-p ...:${published}: EXPOSEd`)
  }
  for (const [, target] of line.matchAll(/-v\s+\S+?:(\/[^\s:]*)/g)) {
    if (!stage.volumes.has(posix.normalize(target))) fail(`README: docker run mounts ${target}, the image's VOLUMEs are ${[...stage.volumes.keys()].join(' ')}`)
    info(`-v ...:${target}: a VOLUME`)
  }
}

function cleanup() {
  for (const child of children) killGroup(child, 'SIGKILL')
  children.clear()
  if (tmpRoot) {
    try {
      rmSync(tmpRoot, { recursive: true, force: true })
    } catch (err) {
      log(`[check-dockerfile] could not remove ${tmpRoot}: ${err.message}`)
    }
    tmpRoot = null
  }
}

for (const signal of ['SIGINT', 'SIGTERM']) {
  process.on(signal, () => {
    log(`\n[check-dockerfile] FAILED: interrupted by ${signal}`)
    cleanup()
    process.exit(1)
  })
}
const watchdog = setTimeout(() => {
  log(`\n[check-dockerfile] FAILED: the check took longer than ${seconds(TOTAL_LIMIT_MS)}`)
  cleanup()
  process.exit(1)
}, TOTAL_LIMIT_MS + 5_000)
watchdog.unref()

try {
  const skipped = await main()
  cleanup()
  log(`\n[check-dockerfile] PASSED: ${stepNo} steps in ${seconds(Date.now() - started)}` +
    (skipped.length ? `; skipped: ${skipped.join('; ')}` : ''))
  process.exit(0)
} catch (err) {
  log(`\n[check-dockerfile] FAILED at step ${stepNo}: ${err instanceof CheckFailed ? err.message : err.stack}`)
  cleanup()
  process.exit(1)
}
