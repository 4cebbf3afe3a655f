//! `parley`: the server binary and its operator commands.
#![recursion_limit = "512"]

use anyhow::Context;
use clap::Parser;
use server::config::{ApiKeyCmd, Cli, Command, DbArgs, ServeArgs, UserCmd};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    // The bench prints its own progress and table; sqlx's "slow statement"
    // warnings (a search may well take over a second) would only interleave.
    let default_filter = match cli.command {
        Some(Command::Bench(_)) => "warn,sqlx=error",
        _ => "info,sqlx=warn,tower_sessions=warn",
    };
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| default_filter.into()),
        )
        .init();
    match cli.command {
        None => serve(cli.serve).await,
        Some(Command::Serve(args)) => serve(args).await,
        Some(Command::Migrate(db)) => {
            app::db::Db::connect(&db.database_url).await?;
            println!("migrations applied");
            Ok(())
        }
        Some(Command::User { cmd: UserCmd::Create { email, name, role, password, db } }) => {
            create_user(db, email, name, role, password).await
        }
        Some(Command::ApiKey { cmd: ApiKeyCmd::Create { name, user, db } }) => create_api_key(db, name, user).await,
        Some(Command::Bench(args)) => server::bench::run(&args).await,
    }
}

async fn serve(args: ServeArgs) -> anyhow::Result<()> {
    let addr: std::net::SocketAddr =
        args.addr.parse().with_context(|| format!("--addr {:?} is not host:port", args.addr))?;
    let opts = server::Options {
        database_url: args.db.database_url.clone(),
        public_url: args.public_url.clone(),
        site_addr: addr,
        inbound_domain: args.inbound_domain.clone(),
        data_dir: args.data_dir.clone(),
    };
    let state = server::state(&opts).await?;
    if args.demo {
        let ws = app::workspace::ensure(&state.db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        let seeded =
            app::demo::seed_if_empty(&state.db, ws).await.map_err(|e| anyhow::anyhow!("seeding the demo: {e}"))?;
        if seeded {
            tracing::info!("demo workspace seeded");
        }
    }
    let smtp = if args.smtp_addr != "off" {
        let at = server::mail::listen(state.clone(), &args.smtp_addr).await?;
        tracing::info!(%at, domain = %args.inbound_domain, "receiving mail over SMTP");
        Some(at)
    } else {
        None
    };
    match app::outbound::resume(&state).await {
        Ok(n) if n > 0 => tracing::info!(n, "sending replies left queued"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not resume queued replies"),
    }
    match app::whatsapp::media::resume(&state).await {
        Ok(n) if n > 0 => tracing::info!(n, "fetching WhatsApp files left pending"),
        Ok(_) => {}
        Err(e) => tracing::warn!(error = %e, "could not resume pending WhatsApp file downloads"),
    }
    server::jobs::spawn_snooze_waker(state.clone());
    server::jobs::spawn_engine(state.clone());
    let db = state.db.clone();
    let app = server::router(state).await?;
    let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("binding {addr}"))?;
    println!();
    println!("  Parley is running at {}", args.public_url);
    if args.demo {
        println!("  Log in as {} with password {}", app::demo::ADMIN_EMAIL, app::demo::PASSWORD);
        println!("  (agents: ada@demo.parley, ben@demo.parley, chloe@demo.parley, same password)");
    }
    if let Some(at) = smtp {
        println!("  Receiving mail over SMTP on {at} for *@{}", args.inbound_domain);
        for (name, local) in forwarding_addresses(&db).await {
            println!("    {name}: {local}@{}", args.inbound_domain);
        }
    }
    println!();
    server::serve(listener, app, Box::pin(shutdown())).await?;
    Ok(())
}

/// Every email channel's forwarding local part, to print at start.
async fn forwarding_addresses(db: &app::db::Db) -> Vec<(String, String)> {
    sqlx::query_as(
        "SELECT name, inbound_local FROM channels WHERE kind = 'email' AND inbound_local IS NOT NULL ORDER BY id",
    )
    .fetch_all(&db.pool)
    .await
    .unwrap_or_default()
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}

async fn create_user(
    db: DbArgs,
    email: String,
    name: String,
    role: String,
    password: Option<String>,
) -> anyhow::Result<()> {
    let role: app::users::model::Role = role.parse().map_err(|e: String| anyhow::anyhow!("--role {e}"))?;
    let db = app::db::Db::connect(&db.database_url).await?;
    let ws = app::workspace::ensure(&db).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    let generated = password.is_none();
    let password = password.unwrap_or_else(|| app::workspace::new_token());
    let input = app::users::model::NewUser { name, email, password: password.clone(), role };
    let user = app::users::server::create_user(&db, ws, &input).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("created {} <{}> ({})", user.name, user.email, user.role.as_str());
    if generated {
        println!("password: {password}");
    }
    Ok(())
}

async fn create_api_key(db: DbArgs, name: String, user: Option<String>) -> anyhow::Result<()> {
    let db = app::db::Db::connect(&db.database_url).await?;
    let uid: Option<i64> = match &user {
        Some(email) => {
            sqlx::query_scalar("SELECT id FROM users WHERE lower(email) = lower(?)")
                .bind(email)
                .fetch_optional(&db.pool)
                .await?
        }
        None => {
            sqlx::query_scalar("SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1")
                .fetch_optional(&db.pool)
                .await?
        }
    };
    let uid = uid.with_context(|| match &user {
        Some(e) => format!("no user with email {e}"),
        None => "no admin yet: create one with `parley user create --role admin`".into(),
    })?;
    let who = app::users::server::principal(&db, app::ids::UserId(uid))
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?
        .context("user vanished")?;
    let key = app::users::server::create_api_key(&db, &who, &name).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    println!("{key}");
    Ok(())
}
