//! The command line: every flag also reads an environment variable
//! (shared/API.md, "The command line").

use clap::{Args, Parser, Subcommand};

/// Parley, the self-hosted shared team inbox.
#[derive(Debug, Parser)]
#[command(name = "parley", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// What to do.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run the server (the default).
    Serve(ServeArgs),
    /// Manage users.
    User {
        #[command(subcommand)]
        cmd: UserCmd,
    },
    /// Manage API keys.
    ApiKey {
        #[command(subcommand)]
        cmd: ApiKeyCmd,
    },
    /// Apply database migrations and exit.
    Migrate(DbArgs),
    /// Generate a big workspace and time the list, search and bulk changes.
    Bench(BenchArgs),
}

/// Where the database is.
#[derive(Debug, Clone, Args)]
pub struct DbArgs {
    /// Database URL (SQLite file; created if missing).
    #[arg(long, env = "PARLEY_DATABASE_URL", default_value = "sqlite://data/parley.db?mode=rwc")]
    pub database_url: String,
}

/// `parley serve`.
#[derive(Debug, Clone, Args)]
pub struct ServeArgs {
    /// Address the web server listens on.
    #[arg(long, env = "PARLEY_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: String,
    #[command(flatten)]
    pub db: DbArgs,
    /// Address of the inbound SMTP listener ("off" disables it).
    #[arg(long, env = "PARLEY_SMTP_ADDR", default_value = "127.0.0.1:2525")]
    pub smtp_addr: String,
    /// Where people reach Parley; used in links and to set Secure cookies on https.
    #[arg(long, env = "PARLEY_PUBLIC_URL", default_value = "http://localhost:3000")]
    pub public_url: String,
    /// Domain of forwarding and reply+ addresses.
    #[arg(long, env = "PARLEY_INBOUND_DOMAIN", default_value = "inbound.localhost")]
    pub inbound_domain: String,
    /// Where attachments are stored (created if missing).
    #[arg(long, env = "PARLEY_DATA_DIR", default_value = "data")]
    pub data_dir: std::path::PathBuf,
    /// Seed a demo workspace on an empty database and print the login.
    #[arg(long, env = "PARLEY_DEMO", default_value_t = false)]
    pub demo: bool,
}

/// `parley bench`. Its variables are PARLEY_BENCH_*, never
/// PARLEY_DATABASE_URL: a benchmark must not pick up the real database
/// from the operator's environment.
#[derive(Debug, Clone, Args)]
pub struct BenchArgs {
    /// Conversations to generate.
    #[arg(long, env = "PARLEY_BENCH_CONVERSATIONS", default_value_t = 1_000_000)]
    pub conversations: u64,
    /// Messages to generate, spread over the conversations (at least one each).
    #[arg(long, env = "PARLEY_BENCH_MESSAGES", default_value_t = 5_000_000)]
    pub messages: u64,
    /// SQLite database to generate into, or to reuse when it already holds a
    /// bench workspace of the same size (then generation is skipped). Any
    /// other non-empty database is refused. Default: a new file in a
    /// temporary directory, deleted at exit.
    #[arg(long, env = "PARLEY_BENCH_DATABASE_URL")]
    pub database_url: Option<String>,
    /// Samples per measurement (at most: a slow measurement stops after its
    /// time budget, with at least 5 samples).
    #[arg(long, env = "PARLEY_BENCH_RUNS", default_value_t = 50)]
    pub runs: usize,
    /// Instead of timing, print SQLite's query plan of each list
    /// measurement's rows query and count (generating first if needed).
    #[arg(long, env = "PARLEY_BENCH_EXPLAIN", default_value_t = false)]
    pub explain: bool,
}

/// `parley user …`.
#[derive(Debug, Subcommand)]
pub enum UserCmd {
    /// Create a user; prints a generated password if none is given.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long, default_value = "agent")]
        role: String,
        #[arg(long)]
        password: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}

/// `parley api-key …`.
#[derive(Debug, Subcommand)]
pub enum ApiKeyCmd {
    /// Create a key (printed once). It acts as the given user, or the first admin.
    Create {
        #[arg(long)]
        name: String,
        /// Email of the user the key acts as (default: the first admin).
        #[arg(long)]
        user: Option<String>,
        #[command(flatten)]
        db: DbArgs,
    },
}
