import { openClient } from "@phobos/client";

// The config mco would read (MCOLLECTIVE_EXTRA_OPTS's -c, ~/.mcollective, /etc/...).
const client = await openClient();
try {
  const ping = client.rpc("rpcutil").call("ping");
  for await (const reply of ping) {
    console.log(`${reply.sender.padEnd(20)} ${reply.statusmsg} pong=${reply.data.pong}`);
  }
  const stats = await ping.stats;
  console.log(`\n${stats.responses} of ${stats.discovered} nodes replied in ${stats.totaltime.toFixed(2)}s`);
  if (stats.noresponsefrom.length > 0) console.log(`No reply from ${stats.noresponsefrom.join(", ")}`);
} finally {
  await client.close();
}
