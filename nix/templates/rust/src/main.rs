//! The starting point of a new AT Protocol service.

fn main() {
    if std::env::args().any(|arg| arg == "--version") {
        println!("{}", env!("CARGO_PKG_VERSION"));
        return;
    }
    println!("hello from an AT Protocol service");
}
