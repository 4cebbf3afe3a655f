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
