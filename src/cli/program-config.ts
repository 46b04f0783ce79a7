import type { Command } from 'commander';
import { example, type Runner } from '../cli.js';

export function registerConfigCommands(program: Command, run: Runner): void {
  const config = program.commands.find((c) => c.name() === 'config') ?? program.command('config').description('change settings in config.json');
  const load = () => import('../commands/config-catalog.js');

  const products = () => import('../commands/config-products.js');
  const product = config.command('product').description('the products sold from this ledger').addHelpText('after', example('license-admin config product list', 'license-admin config product add studio --prefix ST1 --tiers core,pro'));
  product
    .command('list', { isDefault: true })
    .description('the products, the first being the one the top of config.json describes')
    .addHelpText('after', example('license-admin config product list --json'))
    .action((_opts, cmd) => run(cmd, async (app) => (await products()).productListCommand(app)));
  product
    .command('add <id>')
    .description('add a product with its own key prefix and tiers')
    .option('--prefix <P>', 'key prefix, 1-8 upper-case letters or digits, different from the other products')
    .option('--tiers <a,b,...>', 'the tiers it sells')
    .option('--name <name>', 'display name (default: the id)')
    .option('--years <n|lifetime>', 'default duration (default: as the first product)')
    .option('--blob-tag <TAG>', 'blob tag, different from the other products (default: none)')
    .option('--format <jws|plugin>', 'blob format: jws or a path to a format plugin (default jws)')
    .addHelpText('after', example('license-admin config product add studio --prefix ST1 --tiers core,pro --name "Studio"'))
    .action((id, opts, cmd) => run(cmd, async (app) => (await products()).productAddCommand(id, opts, app)));

  const tiers = config.command('tiers').description('the tiers you sell').addHelpText('after', example('license-admin config tiers list', 'license-admin config tiers add team'));
  tiers
    .command('list', { isDefault: true })
    .description('the configured tiers, in order')
    .addHelpText('after', example('license-admin config tiers list --json'))
    .option('--product <id>', 'which product (needed when there are several)')
    .action((opts, cmd) => run(cmd, async (app) => (await load()).tiersListCommand(opts, app)));
  tiers
    .command('add <tier>')
    .description('add a tier (lower-case letters and digits)')
    .addHelpText('after', example('license-admin config tiers add team'))
    .option('--product <id>', 'which product (needed when there are several)')
    .action((tier, opts, cmd) => run(cmd, async (app) => (await load()).tiersAddCommand(tier, opts, app)));
  tiers
    .command('remove <tier>')
    .description('remove a tier no license and no product-map entry uses')
    .addHelpText('after', example('license-admin config tiers remove lite'))
    .option('--product <id>', 'which product (needed when there are several)')
    .action((tier, opts, cmd) => run(cmd, async (app) => (await load()).tiersRemoveCommand(tier, opts, app)));

  const map = config
    .command('product-map')
    .description('which tier (and how long) each provider product sells: the first matching entry wins')
    .addHelpText('after', example('license-admin config product-map list', 'license-admin config product-map set --provider gumroad --match dtools --variant Pro --tier pro'));
  map
    .command('list', { isDefault: true })
    .description('the entries, in the order they are tried')
    .addHelpText('after', example('license-admin config product-map list --json'))
    .option('--product <id>', 'which product (needed when there are several)')
    .action((opts, cmd) => run(cmd, async (app) => (await load()).productMapListCommand(opts, app)));
  map
    .command('set')
    .description('add or replace the entry for a provider product (and variant)')
    .option('--provider <name>', 'gumroad, stripe, lemonsqueezy or any (default any)')
    .option('--match <id>', 'product id / permalink / price id / variant id, or "*" for every product')
    .option('--variant <name>', 'only this variant or option (e.g. Gumroad "Pro")')
    .option('--tier <tier>', 'the tier it sells')
    .option('--years <n|lifetime>', 'how long (default: the configured duration)')
    .option('--product <id>', 'which product sells it (needed when there are several)')
    .addHelpText('after', example('license-admin config product-map set --provider gumroad --match dtools --tier pro', 'license-admin config product-map set --provider stripe --match price_123 --tier core --years lifetime'))
    .action((opts, cmd) => run(cmd, async (app) => (await load()).productMapSetCommand(opts, app)));
  map
    .command('remove')
    .description('remove the entry for a provider product (and variant)')
    .option('--provider <name>', 'gumroad, stripe, lemonsqueezy or any (default any)')
    .option('--match <id>', 'as given to "set"')
    .option('--variant <name>', 'as given to "set"')
    .option('--product <id>', 'which product (needed when there are several)')
    .addHelpText('after', example('license-admin config product-map remove --provider gumroad --match dtools'))
    .action((opts, cmd) => run(cmd, async (app) => (await load()).productMapRemoveCommand(opts, app)));
}
