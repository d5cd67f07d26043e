"""Community Speed Watch: approved volunteers, approved sites, a shift rota with a minimum team, returns."""
