mod backtest;
mod eval_geocoding;
mod eval_indicators;

fn main() {}
