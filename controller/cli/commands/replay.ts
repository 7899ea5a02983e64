/**
 * @module controller/cli/commands/replay
 * `tollgate replay -f <PayloadProcessor YAML> --exchange <file>...`: runs captured exchanges
 * through the pipeline in the harness and prints what each side received, as JSON.
 */
import { parseArgs } from "node:util";
import type { Command } from "../main.ts";
import { CliError } from "../errors.ts";
import { ExchangeFileError, loadExchangeFiles } from "../../dev/exchanges.ts";
import { PIPELINE_HELP, PIPELINE_OPTIONS, parseClusters, parseWorkers, stagesFromOptions } from "../../dev/cli-options.ts";
import { loadChain, PipelineError } from "../../dev/pipeline.ts";
import { replay } from "../../dev/replay.ts";

const HELP = `usage: tollgate replay (-f <PayloadProcessor YAML> | --filter <module.wasm> --config <json>) --exchange <file>... [options]

Runs each exchange through the processors in order, as Envoy's filter chain, carrying shared data and
the clock from one to the next ('at' moves the clock), and prints JSON: for each exchange upstreamRequest,
localResponse, clientResponse, properties and logs; then the final metrics. Bodies are text when valid
UTF-8, else {"base64": ...}.
${PIPELINE_HELP}
  -e, --exchange <file>     an exchange file, YAML or JSON (repeatable; run in the order given)
Exits 0 when the replay ran (a filter rejecting a request is a result), 1 when it could not run.`;

export const command: Command = {
  summary: "replay captured exchanges through a pipeline in the harness and print what happened (JSON)",
  async run(args) {
    let values;
    try {
      values = parseArgs({ args, options: { ...PIPELINE_OPTIONS, exchange: { type: "string", short: "e", multiple: true }, help: { type: "boolean", short: "h" } }, allowPositionals: false }).values;
    } catch (err) {
      throw new CliError(`${(err as Error).message.split("\n")[0]} (see tollgate replay --help)`, 2);
    }
    if (values.help) { console.log(HELP); return 0; }
    if (!values.exchange?.length) throw new CliError("no exchanges: give --exchange <file> (see tollgate replay --help)", 2);
    const workers = parseWorkers(values.workers, "replay");
    const clusters = parseClusters(values.cluster, "replay");
    let exchanges;
    try { exchanges = await loadExchangeFiles(values.exchange); } catch (err) {
      if (err instanceof ExchangeFileError) throw new CliError(err.message);
      throw err;
    }
    const stages = await stagesFromOptions(values, "replay");
    let chain;
    try { chain = await loadChain(stages, { workers, clusters }); } catch (err) {
      if (err instanceof PipelineError) throw new CliError(err.message);
      throw err;
    }
    const report = await replay(chain, exchanges);
    process.stdout.write(JSON.stringify(report, null, 2) + "\n");
    return 0;
  },
};
