//! The planners run on the recorded WooCommerce orders.
