// FulcrumProxy
