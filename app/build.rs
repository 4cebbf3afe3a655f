//! `sqlx::migrate!` embeds app/migrations at compile time but does not
//! notice a new file by itself; this makes cargo rebuild when one appears.
fn main() {
    println!("cargo:rerun-if-changed=migrations");
}
