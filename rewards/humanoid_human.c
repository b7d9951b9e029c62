// humanoid, expert reward: the form of IsaacGymEnvs' Humanoid reward (progress towards a
// target far along +x, alive bonus 2, upright and heading rewards, action and energy
// costs, death cost; the death cost is added rather than replacing the total, and the
// joints-at-limit cost is left out).
double compute_reward(const env_state *s, reward_terms *t) {
    double action_sq = 0.0, energy = 0.0;
    for (int j = 0; j < N_JOINTS; j++) {
        action_sq += square(s->action[j]);
        energy += fabs(s->action[j] * s->joint_vel[j]);
    }
    double r = 0.0;
    r += term(t, "progress", s->torso_vel[0]);
    r += term(t, "alive", 2.0);
    r += term(t, "up_reward", s->up_proj > 0.93 ? 0.1 : 0.0);
    r += term(t, "heading_reward", s->heading_proj > 0.8 ? 0.5 : 0.5 * s->heading_proj / 0.8);
    r += term(t, "action_cost", -0.01 * action_sq);
    r += term(t, "energy_cost", -0.05 * energy);
    r += term(t, "death_cost", s->torso_pos[2] < TERMINATION_HEIGHT ? -1.0 : 0.0);
    return r;
}
