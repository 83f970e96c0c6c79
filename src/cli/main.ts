// `ipinv`: the command-line entry. It parses arguments and calls src/core; nothing more.
process.stdout.write('ipinv: not implemented yet\n');
