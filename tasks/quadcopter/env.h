/* quadcopter: what the reward can read at every control step (50 Hz).
 * World frame: z up, metres, gravity -9.81 m/s^2 along z. Quaternions are (w, x, y, z).
 * An X-frame quadcopter (0.5 kg, rotors 14 cm from its centre) must fly to a target
 * point and hover there. The episode ends early on a crash (centre below CRASH_HEIGHT)
 * or when the drone is more than MAX_DIST from the target. */
#define MAX_DIST 3.0             /* m: the episode fails beyond this distance from the target */
#define CRASH_HEIGHT 0.05        /* m: the episode fails when the centre is lower than this */

typedef struct env_state {
    double pos[3];               /* drone centre, world frame, m */
    double target_pos[3];        /* target point, world frame, m (fixed for the episode) */
    double quat[4];              /* drone orientation, world frame */
    double up[3];                /* the drone's z axis (thrust direction) in world frame; (0,0,1) when level */
    double lin_vel[3];           /* linear velocity of the centre, world frame, m/s */
    double ang_vel[3];           /* angular velocity, world frame, rad/s */
    double action[4];            /* this step's rotor commands, each in [-1, 1]: thrust = hover thrust * (1 + a) */
    int step;                    /* control step within the episode, 0..249 */
} env_state;
