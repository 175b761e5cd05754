"""Payment gateway adapters — cổng thanh toán: one interface (base.py), one module per protocol."""
