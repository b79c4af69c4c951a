pub mod e2e;
pub mod postgres;
pub mod upstream;
