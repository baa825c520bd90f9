"""The portal's pages, one module per page family: account, orders, new order, order detail."""
